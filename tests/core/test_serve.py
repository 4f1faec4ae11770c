"""`make run` serves Nexus through granian (manage.py serve): debug off, static files from
WhiteNoise, the pages themselves from Django."""

import http.client

from tests import servers


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_make_runs_server_answers_with_debug_off_and_serves_static_files(tmp_path):
    embedded = {
        "NEXUS_MODE": "embedded",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
    }
    with servers.serve(**embedded) as port:
        assert get(port, "/healthz")[0] == 200
        status, body = get(port, "/static/vendor/htmx.min.js")
        assert status == 200
        assert b"htmx" in body
        status, body = get(port, "/no-such-page/")
        assert status == 404
        assert b"<h1>Not found</h1>" in body  # the site's page, not Django's technical one
        assert b"DEBUG = True" not in body


def test_make_run_serves_through_it():
    recipe = (servers.ROOT / "Makefile").read_text().split("\nrun: ", 1)[1].split("\n\n", 1)[0]
    assert "manage.py serve" in recipe
    assert "DEBUG=$(or $(DEBUG),false)" in recipe
