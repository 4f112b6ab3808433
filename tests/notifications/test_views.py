import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from notifications.kinds import NotificationKind
from notifications.models import Follow, Notification
from notifications.services import unsubscribe_token
from tests.factories import UserFactory


def make_notification(member, **kwargs):
    defaults = {"kind": NotificationKind.STORY_COMMENT, "text": "A comment", "url": "/stories/"}
    return Notification.objects.create(recipient=member, **{**defaults, **kwargs})


@pytest.mark.django_db
def test_header_shows_unread_count_and_opening_one_lowers_it(member_client, member):
    first = make_notification(member)
    make_notification(member, text="Another")

    page = member_client.get(reverse("notifications:list")).content.decode()
    assert re.search(r'class="badge">2<span class="visually-hidden"> unread', page)

    response = member_client.post(reverse("notifications:open", args=[first.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/stories/"
    page = member_client.get(reverse("notifications:list")).content.decode()
    assert re.search(r'class="badge">1<span class="visually-hidden"> unread', page)


@pytest.mark.django_db
def test_the_dashboard_header_counts_only_my_unread_notifications(member_client, member):
    # the dashboard loads the count with the member's profile instead of the header's query
    make_notification(member)
    make_notification(member, text="Another")
    make_notification(UserFactory())  # someone else's
    member_client.post(reverse("notifications:open", args=[make_notification(member).pk]))

    page = member_client.get(reverse("home")).content.decode()

    assert re.search(r'class="badge">2<span class="visually-hidden"> unread', page)


@pytest.mark.django_db
def test_opening_never_redirects_off_site(member_client, member):
    evil = make_notification(member, url="https://evil.example/")

    response = member_client.post(reverse("notifications:open", args=[evil.pk]))

    assert response["Location"] == reverse("notifications:list")


@pytest.mark.django_db
def test_members_cannot_open_others_notifications(member_client):
    other = make_notification(UserFactory())

    response = member_client.post(reverse("notifications:open", args=[other.pk]))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_unread


@pytest.mark.django_db
def test_opening_needs_post(member_client, member):
    notification = make_notification(member)

    assert (
        member_client.get(reverse("notifications:open", args=[notification.pk])).status_code == 405
    )
    notification.refresh_from_db()
    assert notification.is_unread


@pytest.mark.django_db
def test_mark_all_read(member_client, member):
    make_notification(member)
    make_notification(member)

    member_client.post(reverse("notifications:read_all"))

    assert not Notification.objects.for_member(member).unread().exists()


def test_notifications_page_needs_sign_in(client, db):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_empty_state(member_client):
    assert b"No notifications yet" in member_client.get(reverse("notifications:list")).content


@pytest.mark.django_db
class TestUnsubscribe:
    def test_confirmation_page_changes_nothing_and_post_unsubscribes_without_sign_in(
        self, client, member
    ):
        url = reverse(
            "notifications:unsubscribe",
            args=[unsubscribe_token(member=member, kind=NotificationKind.WEEKLY_DIGEST)],
        )

        assert client.get(url).status_code == 200
        member.profile.refresh_from_db()
        assert member.profile.wants_email(NotificationKind.WEEKLY_DIGEST)

        response = client.post(url)  # what a mail client's one-click unsubscribe does

        assert response.status_code == 200
        member.profile.refresh_from_db()
        assert not member.profile.wants_email(NotificationKind.WEEKLY_DIGEST)
        assert member.profile.wants_email(NotificationKind.STORY_COMMENT)

    @pytest.mark.parametrize("tamper", ["x", "-forged", None])
    def test_forged_tokens_are_refused(self, client, member, tamper):
        token = unsubscribe_token(member=member, kind=NotificationKind.WEEKLY_DIGEST)
        forged = "not-a-token" if tamper is None else token[:-2] + tamper

        response = client.post(reverse("notifications:unsubscribe", args=[forged]))

        assert response.status_code == 404
        member.profile.refresh_from_db()
        assert member.profile.wants_email(NotificationKind.WEEKLY_DIGEST)

    def test_token_for_one_member_cannot_be_rewritten_for_another(self, client, member):
        from django.core import signing

        other = UserFactory()
        forged = signing.dumps({"m": other.pk, "k": "weekly_digest"}, salt="wrong-salt")

        assert client.post(reverse("notifications:unsubscribe", args=[forged])).status_code == 404
        assert mail.outbox == []


@pytest.mark.django_db
class TestFollow:
    def test_follow_and_unfollow_a_member(self, member_client, member):
        colleague = UserFactory()
        url = reverse("notifications:follow", args=["member", colleague.pk])

        member_client.post(url, {"next": "/members/"})
        assert Follow.objects.of(member).targeting(colleague).exists()

        response = member_client.post(url, {"next": "/members/"})
        assert response["Location"] == "/members/"
        assert not Follow.objects.of(member).targeting(colleague).exists()

    def test_follow_a_tag(self, member_client, member):
        from taggit.models import Tag

        tag = Tag.objects.create(name="makerspace", slug="makerspace")
        member_client.post(reverse("notifications:follow", args=["tag", tag.pk]))

        page = member_client.get(reverse("notifications:following")).content.decode()
        assert "makerspace" in page

    def test_unknown_kinds_and_get_are_refused(self, member_client, member):
        assert (
            member_client.post(
                reverse("notifications:follow", args=["password", member.pk])
            ).status_code
            == 404
        )
        assert (
            member_client.get(
                reverse("notifications:follow", args=["member", UserFactory().pk])
            ).status_code
            == 405
        )
        assert not Follow.objects.exists()

    def test_follow_needs_sign_in(self, client, member):
        response = client.post(reverse("notifications:follow", args=["member", member.pk]))
        assert response.status_code == 302
        assert not Follow.objects.exists()

    def test_next_cannot_send_you_off_site(self, member_client):
        response = member_client.post(
            reverse("notifications:follow", args=["member", UserFactory().pk]),
            {"next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("notifications:following")


def hidden_member(**fields):
    member = UserFactory(display_name="Hedda Hidden", **fields)
    member.profile.visibility = "hidden"
    member.profile.save(update_fields=["visibility"])
    return member


@pytest.mark.django_db
class TestFollowOnlyWhatYouMaySee:
    """Following goes through the same `visible_to(viewer)` as the target's page: what the
    page answers 404 for, following answers 404 for, and names nowhere."""

    def test_a_hidden_or_deactivated_member_cannot_be_followed_and_is_not_named(
        self, member_client, member
    ):
        hidden = hidden_member()
        gone = UserFactory(display_name="Dora Deactivated", is_active=False)
        for target in (hidden, gone):
            page = member_client.get(reverse("accounts:detail", args=[target.pk]))
            assert page.status_code == 404
            url = reverse("notifications:follow", args=["member", target.pk])

            response = member_client.post(url, follow=True)

            assert response.redirect_chain == []
            assert response.status_code == 404
            assert str(target) not in response.content.decode()
        assert not Follow.objects.exists()
        page = member_client.get(reverse("notifications:following")).content.decode()
        assert "Hedda" not in page
        assert "Dora" not in page

    def test_walking_the_ids_names_only_members_whose_pages_open(self, member_client, member):
        shown = [UserFactory(display_name=f"Shown {n}") for n in range(2)]
        secret = [hidden_member(), UserFactory(display_name="Dora Deactivated", is_active=False)]
        last = max(user.pk for user in [*shown, *secret])
        # every member's id, and some no one has on either side: ids below the lowest were
        # taken by rows since rolled back (from 1 on, the walk grew with every earlier test in
        # the worker: thousands of requests)
        first = max(1, get_user_model().objects.order_by("pk").first().pk - 2)

        answers = {}
        for pk in range(first, last + 3):
            if pk == member.pk:
                continue
            response = member_client.post(
                reverse("notifications:follow", args=["member", pk]), follow=True
            )
            answers[pk] = response.status_code
            for user in secret:
                assert str(user) not in response.content.decode()

        assert {pk for pk, status in answers.items() if status == 200} == {u.pk for u in shown}
        # a hidden member answers exactly like an id no one has
        assert answers[secret[0].pk] == answers[secret[1].pk] == answers[last + 2] == 404
        page = member_client.get(reverse("notifications:following")).content.decode()
        assert "Shown 0" in page
        assert "Shown 1" in page
        assert "Hedda" not in page
        assert "Dora" not in page

    def test_someone_followed_who_then_hides_drops_out_of_what_i_follow(
        self, member_client, member
    ):
        colleague = UserFactory(display_name="Vera Visible")
        member_client.post(reverse("notifications:follow", args=["member", colleague.pk]))
        page = member_client.get(reverse("notifications:following")).content.decode()
        assert "Vera Visible" in page

        colleague.profile.visibility = "hidden"
        colleague.profile.save(update_fields=["visibility"])
        page = member_client.get(reverse("notifications:following")).content.decode()
        assert "Vera Visible" not in page
        assert "You don’t follow anything yet" in page

        colleague.profile.visibility = "members"  # shows themselves again: the follow is back
        colleague.profile.save(update_fields=["visibility"])
        page = member_client.get(reverse("notifications:following")).content.decode()
        assert "Vera Visible" in page

        colleague.is_active = False
        colleague.save(update_fields=["is_active"])
        assert (
            "Vera Visible"
            not in member_client.get(reverse("notifications:following")).content.decode()
        )
