import pytest

from notifications import member_data
from notifications.kinds import NotificationKind
from notifications.models import Follow, Notification
from tests.factories import UserFactory


@pytest.mark.django_db
def test_export_and_erase_cover_follows_both_ways_and_notifications(member):
    colleague = UserFactory()
    Follow.objects.create(follower=member, target=colleague)
    Follow.objects.create(follower=colleague, target=member)
    Notification.objects.create(recipient=member, kind=NotificationKind.STORY_COMMENT, text="Hi")

    exported = member_data.export(member)
    assert [f["name"] for f in exported["following"]] == [str(colleague)]
    assert [n["text"] for n in exported["notifications"]] == ["Hi"]

    member_data.erase(member, keep_content=True)

    assert not Follow.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_export_does_not_name_a_followed_member_who_hid_their_profile(member):
    hidden = UserFactory(display_name="Hedda Hidden")
    Follow.objects.create(follower=member, target=hidden)  # followed while it was visible
    hidden.profile.visibility = "hidden"
    hidden.profile.save(update_fields=["visibility"])

    exported = member_data.export(member)

    assert [(f["kind"], f["name"]) for f in exported["following"]] == [("user", "")]
    assert "Hedda" not in str(exported)
