import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_accounts_and_admin(client, django_assert_num_queries):
    # no database work: the benchmarks use it as their ceiling
    with django_assert_num_queries(0):
        response = client.get(reverse("robots_txt"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /accounts/" in lines
    assert "Disallow: /admin/" in lines
    assert "max-age=86400" in response["Cache-Control"]


def test_robots_txt_refuses_post(client):
    assert client.post(reverse("robots_txt")).status_code == 405
