"""`make run` (manage.py devserver) as a developer uses it: its emails link to the address it
serves, and a database outage does not stop the site or its task worker; jobs deferred once the
database is back still run."""

import re
import time

import pytest

from groups.services import rsvp_set
from tests.factories import (
    TEST_PASSWORD,
    GroupFactory,
    MeetupFactory,
    MembershipFactory,
    UserFactory,
)
from tests.servers import (
    Browser,
    DevServer,
    postgres_start,
    postgres_stop,
    production_password,
)

pytestmark = pytest.mark.processes

LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def full_meetup(transactional_db):
    """A meetup with one seat: `going` has it, `waiting` is first on the waiting list."""
    organizer, going, waiting = (UserFactory() for _ in range(3))
    for member in (going, waiting):
        production_password(member, TEST_PASSWORD)  # development settings have no MD5 hasher
    group = GroupFactory(organizer=organizer)
    for member in (going, waiting):
        MembershipFactory(group=group, member=member)
    occurrence = MeetupFactory(group=group, capacity=1).occurrences.first()
    rsvp_set(occurrence=occurrence, member=going, going=True)
    rsvp_set(occurrence=occurrence, member=waiting, going=True)
    return occurrence, going, waiting


def give_up_seat(site: DevServer, occurrence, member) -> None:
    """`member` signs in and answers "not going", as on the meetup's page."""
    browser = Browser(https=False)
    assert browser.log_in(site, member.email, TEST_PASSWORD).status == 302
    page = browser.get(site.url(occurrence.get_absolute_url()))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    rsvp_url = site.url(f"/groups/{occurrence.meetup.group.slug}/dates/{occurrence.pk}/rsvp/")
    answer = browser.post(rsvp_url, {"csrfmiddlewaretoken": token, "answer": "not_going"})
    assert answer.status == 302, answer.text[:500]


def links_in(email: str) -> set[str]:
    return set(LINK.findall(email))


def test_emails_link_to_the_port_the_site_is_served_on(full_meetup, server_database_url, tmp_path):
    occurrence, going, waiting = full_meetup
    with DevServer(server_database_url, tmp_path / "devserver.log") as site:
        assert site.port != 8000
        # written by the web server: a message from one member to another
        browser = Browser(https=False)
        assert browser.log_in(site, going.email, TEST_PASSWORD).status == 302
        sent = browser.submit(
            site.url(f"/members/{waiting.pk}/contact/"), {"message": "Shall we car-share?"}
        )
        assert sent.status == 302, sent.text[:500]
        # written by the worker: "you have a seat"
        give_up_seat(site, occurrence, going)
        site.wait_for(lambda: len(site.emails_to(waiting.email)) == 2, 90, "both emails")

    # (subjects may be encoded: tell them apart by their text)
    message, seat = sorted(site.emails_to(waiting.email), key=lambda e: "A seat freed up" in e)
    assert "sent you a message" in message
    for email, must_link_to in [
        (message, f"/members/{going.pk}/"),  # the sender's profile
        (seat, occurrence.get_absolute_url()),
    ]:
        links = links_in(email)
        assert site.url(must_link_to) in links
        assert any("/notifications/unsubscribe/" in link for link in links)
        assert {link for link in links if not link.startswith(site.base)} == set()
        assert {link for link in links if link.startswith(site.base + ":")} == set()


def test_the_site_and_its_worker_ride_out_a_database_outage(
    full_meetup, own_postgres, own_site_database, tmp_path
):
    occurrence, going, waiting = full_meetup
    socket_dir = own_postgres.get_postmaster_info().socket_dir
    with DevServer(own_site_database, tmp_path / "devserver.log") as site:
        site.wait_for(lambda: "Launching a worker" in site.output(), 60, "the worker")

        postgres_stop(own_postgres)
        site.wait_for(lambda: site.get("/healthz") == 503, 15, "the outage seen")
        down_until = time.monotonic() + 10
        while time.monotonic() < down_until:
            assert site.running(), f"devserver stopped during the outage:\n{site.log()}"
            assert site.get("/robots.txt") == 200  # the web server is still there
            time.sleep(0.5)
        postgres_start(own_postgres, socket_dir)
        site.wait_for(lambda: site.get("/healthz") == 200, 30, "recovery")

        # deferred after the outage, run by the worker devserver started again
        give_up_seat(site, occurrence, going)
        site.wait_for(lambda: site.emails_to(waiting.email), 90, "the seat email")
        assert site.running()
        assert site.get("/robots.txt") == 200

    (seat,) = site.emails_to(waiting.email)
    assert site.url(occurrence.get_absolute_url()) in links_in(seat)
