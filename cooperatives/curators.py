"""The "Directory curators" group: add, change and view the directory, nothing else (no users,
no other app). They may delete contacts and affiliations — a stale contact holds someone's
personal details and a false affiliation claim must go — but never organisations, whose
history matters (mark them inactive or merged instead). Created by migration 0002; tests and
scripts may call `curators_group_sync()` to restore it (a flushed test database loses
migration data)."""

from django.contrib.auth import models as auth

CURATORS_GROUP = "Directory curators"
CURATED_MODELS = ("organisation", "contact", "suggestion", "affiliation")
CURATOR_ACTIONS = ("add", "change", "view")
DELETABLE_MODELS = ("contact", "affiliation")


def curators_group_sync(*, Group=None, Permission=None):
    """Create the group if needed and give it exactly the curators' permissions. Migrations
    pass their historical models; everyone else gets the real ones."""
    if Group is None or Permission is None:
        Group, Permission = auth.Group, auth.Permission
    group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
    codenames = [f"{action}_{model}" for model in CURATED_MODELS for action in CURATOR_ACTIONS]
    codenames += [f"delete_{model}" for model in DELETABLE_MODELS]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="cooperatives", codename__in=codenames)
    )
    return group
