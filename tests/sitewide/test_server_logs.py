"""gunicorn as `make serve` configures it (deploy/gunicorn.conf.py), run for real: neither of its
logs carries a query string, even when an error escapes the site or a request cannot be parsed.
(nginx's logs: tests/sitewide/test_nginx.py.)"""

import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import free_port

PROJECT = Path(__file__).resolve().parent.parent.parent


def send(port, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def start_gunicorn(port: int, log: Path, **environment) -> subprocess.Popen:
    """gunicorn as `make serve` configures it, serving tests/sitewide/wsgi_that_fails.py, once it listens."""
    env = {"PATH": "/usr/bin:/bin", "HOST": "127.0.0.1", "PORT": str(port), **environment}
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--workers", "1",
             "tests.sitewide.wsgi_that_fails:application"],
            cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def test_gunicorns_logs_hold_no_query_string(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = start_gunicorn(port, log)
    try:
        escaped = send(port, b"GET /admin/?q=Quartermain+0142 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        unparsable = send(port, b"GET /admin/?q=Ana Quartermain HTTP/1.1\r\nHost: x\r\n\r\n")
        # a clinician's calendar feed and a patient's booking link: their secrets never logged
        for path in [b"/calendar/feed-secret-4711.ics", b"/es/citas/reserva/link-secret-0815/move/"]:
            send(port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert escaped.startswith(b"HTTP/1.1 500")
        assert unparsable.startswith(b"HTTP/1.1 400")
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log.read_text()
    assert "Error handling request GET /admin/?[removed]" in written  # the error is still on record
    assert "RuntimeError: could not handle /admin/?[removed]" in written  # and its traceback
    assert "Invalid request from ip=127.0.0.1" in written
    assert '"GET None HTTP/1.1" 500' in written  # the access line gunicorn writes for an escaped error
    for detail in ["Quartermain", "0142", "feed-secret-4711", "link-secret-0815"]:
        assert detail not in written
    assert '"GET /calendar/[secret] HTTP/1.1" 200' in written  # the feed's access line, its secret out
    assert "could not handle /es/citas/reserva/[secret]/move/" in written
