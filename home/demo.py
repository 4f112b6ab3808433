"""Demo data for the front door: the demo member follows a few topics, a group and a colleague,
so the dashboard's "From what you follow" section and the notifications page have something."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model
from taggit.models import Tag

from groups.models import Group
from notifications.kinds import NotificationKind
from notifications.models import Follow, Notification
from stories.models import Story


def seed_notifications(scale: int, *, demo) -> dict[str, int]:
    targets: list[Model] = list(
        Tag.objects.annotate(uses=Count("stories_taggedstory_items"))
        .filter(uses__gt=0)
        .order_by("-uses", "name")[: max(2, scale // 10)]
    )
    targets += list(Group.objects.order_by("pk")[:1])
    author = Story.objects.visible_to(None).exclude(author=demo).exclude(author=None).first()
    if author is not None and author.author is not None:
        targets.append(author.author)
    for target in targets:
        Follow.objects.get_or_create(
            follower=demo,
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
        )
    if not Notification.objects.filter(recipient=demo).exists():
        for story in (
            Story.objects.visible_to(None).exclude(author=demo).order_by("-published_at")[:3]
        ):
            Notification.objects.create(
                recipient=demo,
                kind=NotificationKind.FOLLOWED_CONTENT,
                text=f"New story: “{story.title}” by {story.author_name}",
                url=story.get_absolute_url(),
            )
    return {"follows": Follow.objects.filter(follower=demo).count()}
