"""`make run` (manage.py devserver): the address it gives its children as SITE_URL. Serving,
restarting the worker and the links in emails are exercised with real processes in
tests/reliability/test_make_run.py."""

import pytest

from config.management.commands.devserver import served_url


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8765, "http://127.0.0.1:8765"),
        ("localhost", 8000, "http://localhost:8000"),
        # every interface: a browser on this machine uses loopback
        ("0.0.0.0", 8001, "http://127.0.0.1:8001"),
        ("::", 8001, "http://127.0.0.1:8001"),
        ("::1", 8002, "http://[::1]:8002"),
    ],
)
def test_the_address_emails_link_to_is_the_one_served(host, port, url):
    assert served_url(host, port) == url
