"""Logs as one JSON object a line (LOG_FORMAT=json), each naming its request: the id nginx
passes in X-Request-ID (or a new one when none or a malformed one came), on the response too and
in gunicorn's access line."""

import io
import json
import logging
import socket
import sys
from pathlib import Path

import pytest

from sitewide.logs import JsonLines, RequestId, logging_config
from tests.processes import free_port

from .test_server_logs import start_gunicorn

PROJECT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def json_log():
    """The site's JSON handler on the root logger, written to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestId())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_each_line_of_a_request_is_json_naming_the_request_id_nginx_passed(client, json_log):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "0f8fad5bd9cb469fa16570867728950e"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "0f8fad5bd9cb469fa16570867728950e"
    [not_found] = [line for line in lines(json_log) if line["logger"] == "django.request"]
    assert not_found["level"] == "WARNING"
    assert not_found["message"] == "Not Found: /no-such-page/"
    assert not_found["request_id"] == "0f8fad5bd9cb469fa16570867728950e"
    assert not_found["time"].endswith("+00:00")


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "short", "x" * 65, "abc def ghij", "line\\nbreak-injected-1234", "é" * 20])
def test_a_missing_or_malformed_request_id_is_replaced_by_a_new_one(client, json_log, sent):
    response = client.get("/no-such-page/", headers={"X-Request-ID": sent} if sent else {})
    assert response.status_code == 404
    made = response["X-Request-ID"]
    assert made != sent
    assert len(made) == 32
    assert {line["request_id"] for line in lines(json_log) if line["logger"] == "django.request"} == {made}


def test_an_exception_is_one_line_with_its_traceback():
    record = logging.LogRecord("site", logging.ERROR, __file__, 1, "failed: %s", ("RuntimeError",), None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    line = JsonLines().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed: RuntimeError"
    assert "RuntimeError: boom" in entry["exception"]


def test_the_setting_picks_the_form():
    assert logging_config("json", "INFO")["formatters"]["site"] == {"()": JsonLines}
    assert logging_config("text", "INFO")["formatters"]["site"] == {"format": "%(message)s"}


def test_gunicorns_access_and_error_lines_are_json_with_the_request_id(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = start_gunicorn(port, log, LOG_FORMAT="json")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(
                b"GET /calendar/feed-secret-4711.ics?x=Quartermain HTTP/1.1\r\nHost: x\r\n"
                b"X-Request-ID: 7d444840-9dc0-11d1-b245-5ffdce74fad2\r\nConnection: close\r\n\r\n"
            )
            while connection.recv(65536):
                pass
    finally:
        server.terminate()
        server.wait(timeout=30)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    [access] = [entry for entry in entries if entry["logger"] == "gunicorn.access"]
    assert access["request_id"] == "7d444840-9dc0-11d1-b245-5ffdce74fad2"
    assert access["path"] == "/calendar/[secret]"
    assert access["status"] == "200"
    assert all(entry["level"] for entry in entries)  # gunicorn's own lines too
    assert "Quartermain" not in log.read_text()
    assert "feed-secret" not in log.read_text()
