"""A WSGI application whose error escapes to gunicorn, quoting the query string: what gunicorn
logs then is what tests/sitewide/test_server_logs.py reads. A clinician's calendar feed answers,
so that its address shows in the access log."""


def application(environ, start_response):
    if environ["PATH_INFO"].startswith("/calendar/"):
        start_response("200 OK", [("Content-Type", "text/calendar")])
        return [b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"]
    raise RuntimeError(f"could not handle {environ['PATH_INFO']}?{environ['QUERY_STRING']}")
