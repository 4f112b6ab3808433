"""What a member can follow, and who may see it.

Each kind is found through the same `visible_to(viewer)` as its own page, so following, "What I
follow" and everything built from follows (the dashboard, new-content notices, the export) show
only what the viewer could open: a hidden profile or a deactivated account answers 404 to a
follow just as its page does, and drops out of every list while it stays hidden."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from taggit.models import Tag

from accounts.models import User
from cooperatives.models import Organisation
from groups.models import Group


def _every_topic(viewer) -> models.QuerySet:
    # topics are a shared vocabulary: every member is offered all of them as suggestions on
    # the profile and story forms, and a topic's page lists only the stories one may see
    return Tag.objects.all()


@dataclass(frozen=True)
class Followable:
    model: type[models.Model]
    visible_to: Callable[[object], models.QuerySet]


# the name used in URLs → the kind
FOLLOWABLE: dict[str, Followable] = {
    "member": Followable(User, User.objects.visible_to),
    "tag": Followable(Tag, _every_topic),
    "group": Followable(Group, Group.objects.visible_to),
    "organisation": Followable(Organisation, Organisation.objects.visible_to),
}
