"""Shared vocabulary: library types, audiences and regions, used by every app."""

from django.db import models


class LibraryType(models.TextChoices):
    ELEMENTARY_SCHOOL = "elementary_school", "Elementary school"
    MIDDLE_SCHOOL = "middle_school", "Middle school"
    HIGH_SCHOOL = "high_school", "High school"
    INDEPENDENT_SCHOOL = "independent_school", "Independent school"
    PUBLIC = "public", "Public"
    ACADEMIC = "academic", "Academic (college or university)"
    COMMUNITY_COLLEGE = "community_college", "Community college"
    SPECIAL_CORPORATE = "special_corporate", "Special: corporate"
    SPECIAL_LAW = "special_law", "Special: law"
    SPECIAL_MEDICAL = "special_medical", "Special: medical"
    SPECIAL_OTHER = "special_other", "Special: other"
    TRIBAL = "tribal", "Tribal"
    STATE_LIBRARY = "state_library", "State library"
    COOPERATIVE = "cooperative", "Cooperative or library system staff"

    @classmethod
    def family(cls, value: str) -> str:
        """Broad family used for "other library types": school, public, academic, special…"""
        return LIBRARY_FAMILIES.get(value, value)


LIBRARY_FAMILIES = {
    "elementary_school": "school",
    "middle_school": "school",
    "high_school": "school",
    "independent_school": "school",
    "public": "public",
    "academic": "academic",
    "community_college": "academic",
    "special_corporate": "special",
    "special_law": "special",
    "special_medical": "special",
    "special_other": "special",
    "tribal": "tribal",
    "state_library": "state",
    "cooperative": "cooperative",
}


class Audience(models.TextChoices):
    CHILDREN = "children", "Children"
    TEENS = "teens", "Teens"
    ADULTS = "adults", "Adults"
    SENIORS = "seniors", "Seniors"
    STUDENTS = "students", "Students"
    FACULTY = "faculty", "Faculty and teachers"
    RESEARCHERS = "researchers", "Researchers"
    FAMILIES = "families", "Families"
    PROFESSIONALS = "professionals", "Professionals"


US_STATES = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "U.S. Virgin Islands"),
]
US_STATE_NAMES = dict(US_STATES)

COUNTRIES = [
    ("US", "United States"),
    ("CA", "Canada"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("IN", "India"),
    ("ZA", "South Africa"),
    ("NG", "Nigeria"),
    ("KE", "Kenya"),
    ("PH", "Philippines"),
    ("MX", "Mexico"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
    ("SE", "Sweden"),
    ("OTHER", "Another country"),
]


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
