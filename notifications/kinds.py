"""What a member can be told about (`notify(kind=…)`), and which kinds they may switch off."""

from django.db import models


class NotificationKind(models.TextChoices):
    """What a member can be told about; each kind can be switched off for email."""

    STORY_COMMENT = "story_comment", "A comment on my story"
    ANSWER_MARKED = "answer_marked", "My answer was marked “what worked”"
    ASKED_FOR_HELP = "asked_for_help", "A colleague asks me to look at their challenge"
    CONTACT_MESSAGE = "contact_message", "A member sends me a message"
    WAITLIST_PROMOTED = "waitlist_promoted", "I got a seat from a waiting list"
    MEETUP_CHANGED = "meetup_changed", "A meetup I am going to changed or was cancelled"
    MEETUP_REMINDER = "meetup_reminder", "Reminder the day before a meetup I am going to"
    MEETUP_CONFIRM = "meetup_confirm", "A meetup I organize: asked to confirm it is still on"
    ORGANIZER_MESSAGE = "organizer_message", "Messages from organizers of my groups"
    GROUP_JOIN_REQUEST = "group_join_request", "Someone asks to join a group I organize"
    GROUP_JOIN_ANSWER = "group_join_answer", "My request to join a group was answered"
    SUGGESTION_ANSWER = "suggestion_answer", "My directory suggestion was approved or rejected"
    FOLLOWED_CONTENT = "followed_content", "New content from people, tags and groups I follow"
    WEEKLY_DIGEST = "weekly_digest", "The weekly digest"
    MODERATION_NOTICE = "moderation_notice", "A moderator hid something I wrote, and why"

    @classmethod
    def optional(cls) -> list["NotificationKind"]:
        """The kinds a member may switch off; moderation notices always reach the author."""
        return [kind for kind in cls if kind not in ALWAYS_EMAILED]


ALWAYS_EMAILED = {NotificationKind.MODERATION_NOTICE}
