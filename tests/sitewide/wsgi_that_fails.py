"""A WSGI application whose error escapes to gunicorn, quoting the query string: what gunicorn
logs then is what tests/sitewide/test_server_logs.py reads."""


def application(environ, start_response):
    raise RuntimeError(f"could not handle {environ['PATH_INFO']}?{environ['QUERY_STRING']}")
