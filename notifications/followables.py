"""What a member can follow, and who may see it.

Each kind is found through the same `visible_to(viewer)` as its own page, so following, "What I
follow" and everything built from follows (the dashboard, new-content notices, the export) show
only what the viewer could open: a hidden profile or a deactivated account answers 404 to a
follow just as its page does, and drops out of every list while it stays hidden.

Notifications knows no content app: members and topics are registered by this app
(notifications/apps.py), groups and directory organisations by their own apps' `ready()`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Followable:
    model: type[models.Model]
    visible_to: Callable[[object], models.QuerySet]


# the name used in URLs → the kind, filled in as the apps get ready
FOLLOWABLE: dict[str, Followable] = {}


def followable_register(
    name: str, model: type[models.Model], visible_to: Callable[[object], models.QuerySet]
) -> None:
    """Let members follow `model`'s objects at /notifications/follow/<name>/<pk>/, each seen
    through `visible_to(viewer)`, the queryset its own page answers from."""
    if FOLLOWABLE.get(name, Followable(model, visible_to)).model is not model:
        raise ValueError(f"{name!r} already names {FOLLOWABLE[name].model.__name__} follows")
    FOLLOWABLE[name] = Followable(model, visible_to)


def followable_name(model: type[models.Model]) -> str:
    """The name `model`'s follows go by (KeyError for a model no one can follow)."""
    label = (model._meta.concrete_model or model)._meta.label_lower
    for name, followable in FOLLOWABLE.items():
        if followable.model._meta.label_lower == label:
            return name
    raise KeyError(label)
