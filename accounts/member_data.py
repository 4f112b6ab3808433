"""A member's own data, across apps: "Download my data" and "Delete my account".

Every app that stores something about a member adds a `<app>/member_data.py` module with

    def export(user) -> dict            # JSON-serialisable: what the app holds about `user`
    def erase(user, *, keep_content: bool) -> None
        # remove everything personal about `user`; with keep_content, keep what they wrote
        # for others (stories, comments) but detach it from them ("a former member")

`collect_export()` and `erase_member()` find those modules through the app registry, so no app
needs to know about the others. This module is also the accounts app's own plugin: it erases
last, by deleting the user row itself.
"""

from __future__ import annotations

import json
from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from accounts.models import ContactMessage, Profile, User

MODULE_NAME = "member_data"
FORMAT_VERSION = 1


def _plugins():
    """(app label, module) for every installed app with a member_data module, accounts last."""
    found = [
        (config.label, import_module(f"{config.name}.{MODULE_NAME}"))
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, MODULE_NAME)
    ]
    found.sort(key=lambda item: item[0] == "accounts")
    return found


def collect_export(user: User) -> dict:
    """Everything every app holds about `user`, keyed by app label."""
    data = {
        "format": "librarian-commons-member-data",
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    for label, module in _plugins():
        data[label] = module.export(user)
    return data


def erase_member(user: User, *, keep_content: bool) -> None:
    """Ask every app to erase `user`; accounts goes last because it deletes the user row."""
    for _label, module in _plugins():
        module.erase(user, keep_content=keep_content)


# --- the accounts app's own part --------------------------------------------------------------
def export(user: User) -> dict:
    profile = Profile.objects.filter(user=user).first()
    return {
        "account": {
            "display_name": user.display_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ]
            or [{"email": user.email, "verified": False, "primary": True}],
        },
        "profile": _profile_data(profile) if profile else None,
        "contact_messages_sent": [
            {
                "to_member": message.recipient_id,
                "to_name": str(message.recipient),
                "sent_at": message.created_at.isoformat(),
                "reply_to_shared": message.reply_to_shared,
            }
            for message in ContactMessage.objects.filter(sender=user).select_related("recipient")
        ],
        "contact_messages_received": [
            {
                "from_member": message.sender_id,
                "from_name": str(message.sender),
                "received_at": message.created_at.isoformat(),
            }
            for message in ContactMessage.objects.filter(recipient=user).select_related("sender")
        ],
    }


def _profile_data(profile: Profile) -> dict:
    return {
        "job_title": profile.job_title,
        "library_name": profile.library_name,
        "library_type": profile.library_type,
        "audiences": list(profile.audiences),
        "country": profile.country,
        "state": profile.state,
        "city": profile.city,
        "postal_code": profile.postal_code,
        "bio": profile.bio,
        "can_help_with": sorted(profile.can_help_with.names()),
        "want_to_learn": sorted(profile.want_to_learn.names()),
        "open_to": {
            name.removeprefix("open_to_"): getattr(profile, name)
            for name in (
                "open_to_visits",
                "open_to_calls",
                "open_to_mentoring",
                "open_to_copresenting",
                "open_to_joint_research",
                "open_to_joint_programs",
            )
        },
        "website": profile.website,
        "social_url": profile.social_url,
        "visibility": profile.visibility,
        "accepts_help_requests": profile.accepts_help_requests,
        "email_preferences": profile.email_preferences,
        "updated_at": profile.updated_at.isoformat(),
    }


def erase(user: User, *, keep_content: bool) -> None:
    """Delete the member's sessions, queued and finished emails to them, and the user row;
    the database cascades to the profile, its topics, email addresses and the contact log."""
    _delete_sessions(user)
    _delete_email_jobs(user)
    _delete_admin_history_about(user)
    EmailAddress.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).delete()


def _delete_admin_history_about(user: User) -> None:
    """Admin log entries about the member's account or profile name them in `object_repr`
    (entries made *by* the member go with the user row)."""
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    profile_id = Profile.objects.filter(user=user).values_list("pk", flat=True).first()
    if profile_id is not None:
        about |= Q(
            content_type=ContentType.objects.get_for_model(Profile), object_id=str(profile_id)
        )
    LogEntry.objects.filter(about).delete()


def _delete_sessions(user: User) -> None:
    # sessions are signed blobs: find the member's by decoding (deletions are rare)
    user_id = str(user.pk)
    keys = [
        session.session_key
        for session in Session.objects.iterator(chunk_size=500)
        if str(session.get_decoded().get("_auth_user_id")) == user_id
    ]
    Session.objects.filter(session_key__in=keys).delete()


def _delete_email_jobs(user: User) -> None:
    """Emails kept in the task queue's table: those waiting to go to the member, and finished
    ones that mention their address anywhere (e.g. as Reply-To). Addresses compare
    case-insensitively."""
    addresses = {
        address.lower()
        for address in [
            user.email,
            *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
        ]
    }
    with connection.cursor() as cursor:
        for address in addresses:
            cursor.execute(
                """
                DELETE FROM procrastinate_jobs
                WHERE task_name LIKE %s AND (
                    (status = 'todo' AND EXISTS (
                        SELECT 1 FROM jsonb_array_elements_text(args -> 'to') AS recipient
                        WHERE lower(recipient) = %s
                    ))
                    OR (status NOT IN ('todo', 'doing') AND strpos(lower(args::text), %s) > 0)
                )
                """,
                ["%email_message_send", address, json.dumps(address)[1:-1]],
            )
