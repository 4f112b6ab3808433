import logging

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_each_request_logs_one_structured_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="librarian_commons.requests"):
        client.get(reverse("healthz"))

    lines = [r.getMessage() for r in caplog.records if r.name == "librarian_commons.requests"]
    assert len(lines) == 1
    fields = dict(item.split("=", 1) for item in lines[0].split(" "))
    assert fields["method"] == "GET"
    assert fields["path"] == '"/healthz"'
    assert fields["status"] == "200"
    assert float(fields["duration_ms"]) >= 0
    assert fields["queries"] == "1"
