"""The image's HEALTHCHECK: /healthz on this container, asked by the first of the site's host
names (the site answers no other). Healthy when the site answers and reaches its database;
/healthz's other parts (the worker, the mail) are watched by their own container and by
Prometheus, and restarting a web server would not mend them."""

import http.client
import json
import os
import sys

host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
try:
    connection = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("PORT", "8000")), timeout=4)
    connection.request("GET", "/healthz", headers={"Host": host})
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
except (OSError, ValueError) as error:
    sys.exit(f"unhealthy: {error}")
if response.status != 200 and answer.get("database") != "ok":
    sys.exit(f"unhealthy: /healthz answered {response.status} {answer}")
