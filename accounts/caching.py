"""What a change to members changes on pages (kit/scopes.py): what anyone may see of a
member (`members`: names on stories and comments, profiles, the directory), and what only
they see (`member:<pk>`)."""

from accounts.models import ContactMessage, HelpTopic, LearnTopic, Profile, User
from kit.scopes import MEMBERS, SITE, linked_by, member, shown_by

SIGN_IN_ONLY = frozenset({"last_login"})


@shown_by(User)
def _user_changed(instance: User, update_fields=None, **kwargs) -> list[str]:
    if update_fields is not None and set(update_fields) <= SIGN_IN_ONLY:
        return [member(instance.pk)]  # a sign-in: nothing anyone else is shown
    return [member(instance.pk), MEMBERS]


@shown_by(Profile)
def _profile_changed(instance: Profile, **kwargs) -> list[str]:
    return [member(instance.user_id), MEMBERS]


@shown_by(HelpTopic, LearnTopic)
def _topic_changed(instance, **kwargs) -> list[str]:
    user_id = Profile.objects.filter(pk=instance.content_object_id).values("user_id")
    return [*(member(pk) for pk in user_id.values_list("user_id", flat=True)), MEMBERS]


@linked_by(HelpTopic, LearnTopic)
def _topics_linked(instance, reverse: bool, pk_set) -> list[str]:
    if reverse:  # from the topic's side: `pk_set` holds profiles
        if pk_set is None:
            return [SITE]
        return [MEMBERS, *(member(pk) for pk in _users_of(pk_set))]
    return [member(instance.user_id), MEMBERS]


def _users_of(profile_pks) -> list[int]:
    if not profile_pks:
        return []
    return list(Profile.objects.filter(pk__in=profile_pks).values_list("user_id", flat=True))


@shown_by(ContactMessage)
def _contact_logged(instance: ContactMessage, **kwargs) -> list[str]:
    return []  # a log for rate limits: the message itself went by email
