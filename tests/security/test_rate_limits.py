"""Rate limits not already covered next to their apps (those are: stories and comments in
tests/stories/test_views.py, contact in tests/accounts, suggestions in tests/cooperatives, join
requests in tests/groups): sign-up, password reset and failed logins (allauth, counted in the
shared cache; strict per account, loose per address, so a room behind one address can sign up
and log in together while a guesser among them is stopped), and a rule that the posting limits
hold per member, not per session."""

import re

import pytest
from allauth.core.internal.ratelimit import Rate, parse_rates
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from stories.models import Comment, Story
from tests.factories import TEST_PASSWORD, StoryFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase 42"


ROOM = "198.51.100.20"  # one address for a whole workshop: a library's, a school's, Wi-Fi's
ELSEWHERE = "203.0.113.9"
CONFIRM_LINK = re.compile(r"https?://\S+(/accounts/confirm-email/\S+/)")
TOO_MANY = "Too many failed login attempts"


def _signup(client, n):
    return client.post(
        reverse("account_signup"),
        {
            "email": f"new{n}@library.example",
            "display_name": f"Newcomer {n}",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def _log_in(client, email, password):
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return response, "_auth_user_id" in client.session


def _per_address(action: str) -> Rate:
    return next(
        rate for rate in parse_rates(settings.ACCOUNT_RATE_LIMITS[action]) if rate.per == "ip"
    )


def test_a_room_of_50_signs_up_and_logs_in_from_one_address_while_a_guesser_there_is_stopped(
    task_queue,
):
    director = UserFactory(email="director@library.example", is_staff=True, is_superuser=True)
    guesser = Client(REMOTE_ADDR=ROOM)
    guesses = []
    for n in range(50):
        member = Client(REMOTE_ADDR=ROOM)
        assert _signup(member, n)["Location"] == reverse("account_email_verification_sent")
        task_queue.run_all()
        member.post(CONFIRM_LINK.search(mail.outbox[-1].body).group(1))  # signed in
        member.post(reverse("account_logout"))
        _, signed_in = _log_in(member, f"new{n}@library.example", "a typo")  # everyone slips
        assert not signed_in
        response, signed_in = _log_in(member, f"new{n}@library.example", PASSWORD)
        assert signed_in, (n, response.content.decode()[-2000:])
        # meanwhile, someone at the back of the room guesses the director's password
        guesses.append(_log_in(guesser, director.email, f"guess {n}")[0])

    assert get_user_model().objects.filter(email__startswith="new").count() == 50
    stopped = [TOO_MANY in guess.content.decode() for guess in guesses]
    assert stopped == [False] * 5 + [True] * 45
    assert not _log_in(guesser, director.email, TEST_PASSWORD)[1]  # even the right one waits
    # the director, at their own desk, is not locked out by it
    assert _log_in(Client(REMOTE_ADDR=ELSEWHERE), director.email, TEST_PASSWORD)[1]


def test_guessing_one_account_from_many_addresses_is_stopped_too(member, password):
    for n in range(10):
        response, _ = _log_in(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), member.email, "guess")
        assert TOO_MANY not in response.content.decode()

    response, signed_in = _log_in(Client(REMOTE_ADDR="192.0.2.200"), member.email, password)

    assert TOO_MANY in response.content.decode()
    assert not signed_in


def test_signing_in_again_and_again_from_one_address_counts_no_failures(member, password):
    for _ in range(20):  # many devices, or a shared desk computer
        client = Client(REMOTE_ADDR=ROOM)
        assert _log_in(client, member.email, password)[1]


def test_a_password_sprayer_on_one_address_is_stopped_at_the_loose_address_limit():
    limit = _per_address("login_failed").amount
    sprayer = Client(REMOTE_ADDR=ROOM)
    for n in range(limit):
        response, _ = _log_in(sprayer, f"someone{n}@library.example", "Summer2026!")
        assert TOO_MANY not in response.content.decode(), n

    response, _ = _log_in(sprayer, "one.more@library.example", "Summer2026!")

    assert TOO_MANY in response.content.decode()


@pytest.mark.parametrize("action", ["signup", "login", "login_failed"])
def test_per_address_limits_let_a_room_of_200_in(action):
    """A room signs up and logs in within minutes; some mistype once."""
    rate = _per_address(action)
    assert rate.amount >= 200 * 1.5
    assert rate.duration <= 3600  # the limit still bites within the hour


def test_signups_from_one_address_are_limited(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/h/ip"}
    for n in range(3):
        assert _signup(Client(), n).status_code == 302

    response = _signup(Client(), 3)

    assert response.status_code == 429
    assert get_user_model().objects.count() == 3


def test_password_reset_for_one_address_is_limited(task_queue):
    UserFactory(email="known@library.example")
    for _ in range(5):
        response = Client().post(
            reverse("account_reset_password"), {"email": "known@library.example"}
        )
        assert response.status_code == 302
    task_queue.run_all()
    sent = len(mail.outbox)

    response = Client().post(reverse("account_reset_password"), {"email": "known@library.example"})
    task_queue.run_all()

    assert response.status_code == 429
    assert len(mail.outbox) == sent  # no sixth email


def test_failed_logins_lock_the_account_out_for_a_while(member, password):
    for _ in range(5):
        response = Client().post(
            reverse("account_login"), {"login": member.email, "password": "wrong guess"}
        )
        assert response.status_code == 200

    client = Client()
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})

    assert "_auth_user_id" not in client.session  # even the right password waits
    assert "Too many failed login attempts" in response.content.decode()


def test_posting_limits_count_the_member_not_the_session():
    author = UserFactory()
    story = StoryFactory()
    clients = []
    for _ in range(11):
        client = Client()
        client.force_login(author)
        clients.append(client)
    for n, client in enumerate(clients[:10]):
        client.post(reverse("stories:comment_create", args=[story.pk]), {"body": f"#{n}"})

    response = clients[10].post(
        reverse("stories:comment_create", args=[story.pk]), {"body": "eleventh"}
    )

    assert response.status_code == 429
    assert Comment.objects.filter(author=author).count() == 10
    assert Story.objects.filter(pk=story.pk).exists()
