"""Demo groups for `seed_demo`: the groups the source document describes, with their members
and RSVPs. A group is made once (found again by name). `scale` > 1 adds `GROUPS_PER_SCALE`
generated groups per step (2,000 at `--scale 500`), each with members and one recurring series
whose dates, RSVPs and attendance are inserted in bulk (`seed_groups_bulk`)."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cooperatives.models import Organisation
from groups import recurrence, services
from groups.models import (
    HORIZON,
    RSVP,
    Attendance,
    Group,
    Meetup,
    Membership,
    Occurrence,
    SeriesRSVP,
    reserved_slugs,
)
from groups.recurrence import Ends, Repeat, RuleSpec, build_rrule, first_date
from groups.timezones import US_STATE_TIMEZONES
from kit.bulk import copy_rows
from kit.places import us_places
from kit.vocabularies import US_STATE_NAMES, US_STATES
from tests import factories

GROUPS_PER_SCALE = 4

DEMO_GROUPS: list[dict[str, Any]] = [
    {
        "name": "Middle school librarians – long lunch",
        "description": (
            "The middle school librarians of our district get together once a month for a long "
            "lunch and a collaboration session.\n\nBring one thing that worked this month "
            "and one thing you want help with. We rotate schools; the host shows their library."
        ),
        "state": "MI",
        "city": "Ann Arbor",
        "library_types": ["middle_school"],
        "join_policy": "approval",
        "demo_role": "organizer",
        "meetup": {
            "title": "Long lunch and collaboration",
            "rule": "FREQ=MONTHLY;BYDAY=2TU",
            "time": (12, 0),
            "minutes": 90,
            "timezone": "America/Detroit",
            "months_back": 2,
            "details": {
                "venue_name": "Scarlett Middle School library",
                "address": "3300 Lorraine Street, Ann Arbor, MI",
                "accessibility_notes": "Step-free entrance by the gym doors; lift to the library.",
                "cost_note": "Lunch on your own (the cafeteria is open to guests)",
                "capacity": 16,
            },
            "summer_break": True,
        },
        "members": 12,
    },
    {
        "name": "Metro librarians’ dinner",
        "description": (
            "Librarians from several districts around the Twin Cities meet once a month for "
            "dinner. It counts: attendees receive **1.5 hours of professional-development "
            "credit**, signed off by the organizers."
        ),
        "state": "MN",
        "city": "Minneapolis–Saint Paul",
        "library_types": ["elementary_school", "middle_school", "high_school", "public"],
        "join_policy": "open",
        "demo_role": "member",
        "meetup": {
            "title": "Monthly dinner (1.5 h PD credit)",
            "rule": "FREQ=MONTHLY;BYDAY=-1WE",
            "time": (18, 0),
            "minutes": 120,
            "timezone": "America/Chicago",
            "months_back": 2,
            "details": {
                "venue_name": "Midway Commons restaurant, back room",
                "address": "1560 University Avenue W, Saint Paul, MN",
                "accessibility_notes": "Ground floor, accessible restroom. Quiet table on request.",
                "cost_note": "Dinner on your own, about $20",
                "capacity": 24,
                "rsvp_deadline_hours": 48,
                "pd_credit_hours": "1.5",
            },
        },
        "members": 20,
    },
    {
        "name": "Kansas City College Readiness Dialogue",
        "description": (
            "Public, private and alternative school librarians come together with academic "
            "and public librarians from Kansas and Missouri to talk about how best to prepare "
            "students for what comes after high school. Free to attend. Last year: over 90 "
            "school librarians and 14 colleges and universities."
        ),
        "state": "MO",
        "city": "Kansas City",
        "library_types": [
            "high_school",
            "independent_school",
            "public",
            "academic",
            "community_college",
        ],
        "join_policy": "open",
        "demo_role": "member",
        "meetup": {
            "title": "College Readiness Dialogue (annual)",
            "rule": "FREQ=YEARLY",
            "time": (8, 30),
            "minutes": 390,
            "timezone": "America/Chicago",
            "yearly_on": (11, 11),
            "details": {
                "venue_name": "Metropolitan Community College, Penn Valley, Humanities building",
                "address": "3201 Southwest Trafficway, Kansas City, MO",
                "accessibility_notes": (
                    "Step-free access; ASL interpreting on request by 1 November."
                ),
                "capacity": 150,
                "pd_credit_hours": "5",
            },
        },
        "members": 25,
    },
    {
        "name": "Westside public–school reading partnership",
        "description": (
            "Staff of the Westside branch library and the district's elementary school "
            "librarians plan reading programmes together: summer reading, author visits, "
            "library cards for every second grader."
        ),
        "state": "OH",
        "city": "Columbus",
        "library_types": ["elementary_school", "public"],
        "join_policy": "open",
        "demo_role": None,
        "meetup": {
            "title": "Reading partnership planning call",
            "rule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            "time": (15, 30),
            "minutes": 45,
            "timezone": "America/New_York",
            "months_back": 1,
            "details": {
                "venue_kind": "online",
                "venue_name": "",
                "address": "",
                "online_url": "https://meet.example/westside-reading",
                "accessibility_notes": "Live captions are on.",
            },
        },
        "members": 8,
    },
    {
        "name": "Academic and public librarians: research together",
        "description": (
            "Too often academic librarians don’t work with public librarians, and we could do "
            "a lot for each other. A first meeting to find questions worth researching jointly."
        ),
        "state": "NJ",
        "city": "New Brunswick",
        "library_types": ["academic", "community_college", "public"],
        "visibility": "members",
        "join_policy": "open",
        "demo_role": "member",
        "meetup": {
            "title": "Kick-off: questions worth researching together",
            "rule": "",
            "time": (16, 0),
            "minutes": 90,
            "timezone": "America/New_York",
            "days_ahead": 19,
            "details": {
                "venue_kind": "hybrid",
                "venue_name": "Alexander Library, room 413",
                "address": "169 College Avenue, New Brunswick, NJ",
                "online_url": "https://meet.example/research-together",
                "capacity": 20,
            },
        },
        "members": 6,
    },
]


def seed_groups(*, scale: int, demo) -> dict[str, int]:
    User = get_user_model()
    # the hand-written groups take their crowds from the first few dozen members
    people = list(User.objects.exclude(pk=demo.pk).order_by("pk")[:60])
    now = timezone.now()

    def first_start(spec: dict) -> date:
        tz = ZoneInfo(spec["timezone"])
        today = now.astimezone(tz).date()
        if "yearly_on" in spec:
            month, day = spec["yearly_on"]
            this_year = date(today.year, month, day)
            return this_year.replace(year=this_year.year - 2)
        if "days_ahead" in spec:
            return today + timedelta(days=spec["days_ahead"])
        months_back = spec["months_back"]
        anchor = date(today.year, today.month, 1)
        for _ in range(months_back):
            anchor = (anchor - timedelta(days=1)).replace(day=1)
        parsed = recurrence.parse_rrule(spec["rule"], tz=tz)
        return recurrence.first_date(parsed, anchor)

    for index, spec in enumerate(DEMO_GROUPS):
        if Group.objects.filter(name=spec["name"]).exists():
            continue
        crowd = people[index * 3 : index * 3 + spec["members"]] or people[: spec["members"]]
        founder = demo if spec["demo_role"] == "organizer" else crowd[0]
        group = services.group_create(
            by=founder,
            name=spec["name"],
            description=spec["description"],
            country="US",
            state=spec["state"],
            city=spec["city"],
            library_types=spec["library_types"],
            visibility=spec.get("visibility", "public"),
            join_policy=spec["join_policy"],
        )
        joining = [p for p in crowd if p != founder]
        if spec["demo_role"] == "member":
            joining.append(demo)
        for person in joining:
            factories.MembershipFactory(group=group, member=person)
        if founder != demo and len(crowd) > 2:  # a co-organizer
            Membership.objects.filter(group=group, member=crowd[1]).update(role="organizer")

        m = spec["meetup"]
        details = {
            "title": m["title"],
            "description": "",
            "venue_kind": "in_person",
            "accessibility_notes": "",
            "online_url": "",
            "cost_note": "",
            "capacity": None,
            "rsvp_deadline_hours": 0,
            "pd_credit_hours": Decimal("0"),
            **m["details"],
        }
        details["pd_credit_hours"] = Decimal(str(details["pd_credit_hours"]))
        meetup = services.meetup_create(
            group=group,
            by=founder,
            schedule=services.Schedule(
                start_date=first_start(m),
                start_time=time(*m["time"]),
                duration=timedelta(minutes=m["minutes"]),
                timezone=m["timezone"],
                rrule=m["rule"],
            ),
            details=details,
        )
        tz = ZoneInfo(m["timezone"])
        if m.get("summer_break"):
            year = now.astimezone(tz).year + (now.astimezone(tz).month > 8)
            services.meetup_pause(
                meetup=meetup,
                by=founder,
                starts_on=date(year, 7, 1),
                ends_on=date(year, 8, 31),
                note="Summer break",
            )
        # regulars come every time; others answer for the next date; past dates were attended
        members = [founder, *joining]
        regulars, others = members[: len(members) // 2], members[len(members) // 2 :]
        if meetup.is_recurring:
            for person in regulars:
                services.series_rsvp_set(meetup=meetup, member=person, going=True)
        upcoming = list(meetup.occurrences.scheduled().filter(start__gt=now).order_by("start"))
        next_open = next((o for o in upcoming if o.rsvp_open(now)), None)
        if next_open is not None:
            for person in others if meetup.is_recurring else members:
                services.rsvp_set(occurrence=next_open, member=person, going=True)
        past = meetup.occurrences.filter(end__lte=now)
        RSVP.objects.bulk_create(
            RSVP(
                occurrence=o,
                member=p,
                status="going",
                created_at=o.start - timedelta(days=5),
                status_changed_at=o.start - timedelta(days=5),
            )
            for o in past
            for p in members[: max(3, len(members) * 2 // 3)]
        )
        # people who went to past dates checked in, and have certificates for the credit
        Attendance.objects.bulk_create(
            [
                Attendance(
                    occurrence=o,
                    member=p,
                    marked_by=founder,
                    method=Attendance.Method.ORGANIZER,
                    hours=meetup.pd_credit_hours,
                    verification_code=secrets.token_urlsafe(18),
                    created=o.end,
                )
                for o in past.scheduled()
                for p in members[: max(3, len(members) * 2 // 3)]
            ],
            ignore_conflicts=True,
        )
        if meetup.is_recurring and len(upcoming) > 3:
            third = upcoming[2]
            services.occurrence_cancel(
                occurrence=third, by=founder, reason="District professional-development day"
            )

    # larger demos: many generated groups, inserted in bulk, topped up to the wanted number
    missing = len(DEMO_GROUPS) + GROUPS_PER_SCALE * max(0, scale - 1) - Group.objects.count()
    if missing > 0:
        seed_groups_bulk(missing, exclude=[demo.pk])
    return {
        "groups": Group.objects.count(),
        "meetups": Meetup.objects.count(),
        "meetup dates": Occurrence.objects.count(),
        "RSVPs": RSVP.objects.count(),
        "attendances": Attendance.objects.count(),
    }


# --- generated groups, for larger demos and the benchmark ----------------------------------

# (words in a group's name, the library types it brings together); repeats weigh the choice
AUDIENCES = [
    ("school", ["elementary_school", "middle_school", "high_school"]),
    ("school", ["elementary_school", "middle_school", "high_school"]),
    ("elementary school", ["elementary_school"]),
    ("middle school", ["middle_school"]),
    ("middle school", ["middle_school"]),
    ("high school", ["high_school"]),
    ("high school", ["high_school"]),
    ("independent school", ["independent_school"]),
    ("public", ["public"]),
    ("public", ["public"]),
    ("public", ["public"]),
    ("school and public", ["elementary_school", "middle_school", "high_school", "public"]),
    ("children’s", ["public", "elementary_school"]),
    ("teen services", ["public", "middle_school", "high_school"]),
    ("rural", ["public", "elementary_school", "high_school"]),
    ("academic", ["academic", "community_college"]),
    ("academic and public", ["academic", "community_college", "public"]),
    ("community college", ["community_college"]),
    ("law", ["special_law"]),
    ("medical", ["special_medical"]),
    ("special", ["special_corporate", "special_law", "special_medical", "special_other"]),
    ("tribal", ["tribal", "public"]),
]
TOPICS = [
    "makerspace",
    "graphic novels",
    "information literacy",
    "college readiness",
    "summer reading",
    "early literacy",
    "collection development",
    "library instruction",
    "challenged books",
    "grant writing",
    "genealogy",
    "STEM programming",
    "media literacy",
    "reading promotion",
    "cataloguing",
    "English learners",
    "local history",
    "open educational resources",
    "library advocacy",
    "readers’ advisory",
]
# (group name, series title, minutes, local start, what it may cost); {who}, {topic} filled in
FORMATS = [
    (
        "{place} {who} librarians’ lunch",
        "Long lunch and shop talk",
        90,
        time(12, 0),
        "Lunch on your own",
    ),
    (
        "{place} {who} librarians’ breakfast",
        "Breakfast and shop talk",
        60,
        time(7, 0),
        "Breakfast on your own",
    ),
    (
        "{place} {who} librarians’ coffee hour",
        "Coffee hour",
        60,
        time(15, 45),
        "$5 for coffee and snacks",
    ),
    (
        "{place} {who} librarians’ dinner",
        "Dinner and collaboration",
        120,
        time(18, 0),
        "Dinner on your own, about $20",
    ),
    (
        "{place} {who} librarians’ book club",
        "Book club",
        90,
        time(18, 30),
        "Buy or borrow the book",
    ),
    ("{place} {who} librarians’ roundtable", "Roundtable", 90, time(16, 0), ""),
    ("{place} {topic} circle", "{Topic} circle", 75, time(16, 30), ""),
    ("{place} {topic} swap", "{Topic} swap", 60, time(15, 30), "$5 for snacks"),
    ("{place} {who} librarians: {topic}", "{Topic} working session", 90, time(16, 0), ""),
]
INTROS = [
    "{Who} librarians from around {where} meet {cadence} to swap what works.",
    "A small, friendly group of {who} librarians in {where}. Most of us are the only "
    "librarian in our building, so we meet {cadence}.",
    "For anyone working on {topic} in {where} libraries. We get together {cadence}: bring "
    "questions, bring ideas.",
    "Started by a few {who} librarians in {where} who were tired of reinventing the wheel "
    "alone. We meet {cadence}.",
]
MIDDLES = [
    "Bring one thing that worked and one thing you want help with.",
    "Each time one member shows a lesson, a display or a programme and we talk it through.",
    "We share booklists, lesson plans and vendor quotes, and plan joint programmes between "
    "meetings.",
    "Newer librarians and library assistants are very welcome; so are retirees with stories.",
    "We keep a shared folder of **{topic}** resources that members add to after each meeting.",
]
CLOSINGS = {
    "in_person": [
        "Meetings rotate between members’ libraries; the host gives a short tour.",
        "Organizers post the agenda a week ahead.",
        "",
    ],
    "online": [
        "We meet online so people from small towns can come without a long drive.",
        "Notes from each meeting go to the group afterwards.",
        "",
    ],
    "hybrid": [
        "Come in person or join online: the camera points at the whiteboard.",
        "Organizers post the agenda a week ahead.",
    ],
}
MEETUP_DESCRIPTIONS = [
    "A quick round of introductions, then {topic} in focus, then open questions.",
    "Agenda: one show-and-tell, one problem to solve together, and what is coming up.",
    "Bring a title, a lesson or a question about {topic}.",
    "",
]
ROOMS = ["community room", "meeting room B", "the teen space", "the board room", "study room 2"]
STREETS = [
    "Main Street",
    "Library Lane",
    "Oak Avenue",
    "Church Street",
    "Washington Avenue",
    "College Drive",
    "Park Road",
    "Elm Street",
    "Second Street",
    "Maple Avenue",
]
ACCESSIBILITY = [
    "",
    "Step-free entrance; accessible restroom on the same floor.",
    "Lift to the second floor; parking at the back.",
    "Live captions on the online link.",
    "Quiet room available; ask an organizer.",
]
CANCEL_REASONS = [
    "Building closed for inventory",
    "District professional-development day",
    "State library conference that week",
]
JOIN_MESSAGES = [
    "I just started as the librarian at our middle school and would love to join.",
    "I run the teen space at our branch and am looking for ideas.",
    "Retired school librarian, still subbing: happy to help.",
]
# weights: weekly, every other week, monthly on the nth weekday, on the last weekday, yearly
REPEATS = ["weekly", "biweekly", "monthly_nth", "monthly_last", "yearly"]
REPEAT_WEIGHTS = [10, 15, 45, 20, 10]
CADENCES = {
    "weekly": "every week",
    "biweekly": "every other week",
    "monthly_nth": "once a month",
    "monthly_last": "once a month",
    "yearly": "once a year",
}


def _months_before(day: date, months: int) -> date:
    anchor = date(day.year, day.month, 1)
    for _ in range(months):
        anchor = (anchor - timedelta(days=1)).replace(day=1)
    return anchor


def _schedule(rng: random.Random, *, tz: ZoneInfo, today: date, fmt) -> dict:
    """A varied series: the RRULE built by groups/recurrence.py (as the form would), and a
    DTSTART that fits it, one to six months back (a yearly one up to two years back)."""
    repeat = Repeat(rng.choices(REPEATS, weights=REPEAT_WEIGHTS)[0])
    weekday = 5 if fmt[0].endswith("book club") and rng.random() < 0.3 else rng.randint(0, 4)
    spec = RuleSpec(
        repeat=repeat,
        weekday=None if repeat == Repeat.YEARLY else weekday,
        week_of_month=rng.randint(1, 4) if repeat == Repeat.MONTHLY_NTH else None,
    )
    if repeat == Repeat.YEARLY:
        start = first_date(spec, today - timedelta(days=rng.randint(20, 700)))
        minutes, at = rng.choice([240, 360, 390]), time(rng.choice([8, 9]), 30)
    else:
        start = first_date(spec, _months_before(today, rng.randint(1, 6)))
        minutes, at = fmt[2], fmt[3]
    ending = rng.random()
    if ending < 0.1 and repeat != Repeat.YEARLY:  # the school year
        june = date(today.year + (today.month >= 6), 6, 15)
        spec = RuleSpec(**{**spec.__dict__, "ends": Ends.UNTIL, "until": june})
    elif ending < 0.15:
        spec = RuleSpec(**{**spec.__dict__, "ends": Ends.COUNT, "count": rng.randint(8, 30)})
    return {
        "rrule": build_rrule(spec, tz=tz),
        "start_date": start,
        "start_time": at,
        "duration": timedelta(minutes=minutes),
        "cadence": CADENCES[repeat],
        "yearly": repeat == Repeat.YEARLY,
    }


def _host(rng: random.Random, library_types: list[str], *, city: str, county: str) -> str:
    """A library where such a group would meet: one of the kinds it brings together."""
    kind = rng.choice(library_types)
    if kind.endswith("_school"):
        level = {"elementary_school": "Elementary", "middle_school": "Middle"}.get(kind, "High")
        return f"{city} {level} School library"
    if kind in ("academic", "community_college"):
        return f"{city} Community College library, room {rng.randint(101, 240)}"
    if kind == "special_law":
        return f"{county} Law Library, {rng.choice(ROOMS)}"
    if kind == "special_medical":
        return f"{city} Regional Medical Center, health sciences library"
    return rng.choice(
        [f"{city} Public Library, {rng.choice(ROOMS)}", f"{county} Library, {rng.choice(ROOMS)}"]
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@transaction.atomic
def seed_groups_bulk(
    count: int, *, exclude: Sequence[int] = (), now: datetime | None = None
) -> list[int]:
    """Add `count` generated groups (ids returned), spread over every state and territory,
    each with an organizer and 5–30 members (from the state's members when there are enough),
    one recurring series with its dates materialised a year ahead exactly as
    `services.occurrences_materialize` makes them, series and single-date RSVPs, and past dates
    with attendance. Everything is inserted in bulk: a few statements per table."""
    if count <= 0:
        return []
    now = now or timezone.now()
    horizon = now + HORIZON
    rng = random.Random(f"groups:{Group.objects.count()}:{count}")
    User = get_user_model()
    people = list(
        User.objects.filter(is_active=True)
        .exclude(pk__in=exclude)
        .order_by("pk")
        .values_list("pk", "profile__state")
    )
    if len(people) < 6:
        raise RuntimeError("seed members first: generated groups draw their members from them")
    everyone = [pk for pk, _ in people]
    by_state: dict[str, list[int]] = defaultdict(list)
    for pk, state in people:
        by_state[state or ""].append(pk)
    member_states = [state for _, state in people if state in US_STATE_NAMES]
    codes = [code for code, _ in US_STATES]
    first_state = Group.objects.count()
    places = us_places()
    associations = {
        state: org_id
        for org_id, states in Organisation.objects.of_kind(
            Organisation.Kind.STATE_LIBRARY_ASSOCIATION
        ).values_list("pk", "states")
        for state in states
    }
    taken_names = set(Group.objects.values_list("name", flat=True))
    taken_slugs = set(Group.objects.values_list("slug", flat=True)) | reserved_slugs()

    groups, meetups, crowds = [], [], []
    for i in range(count):
        # every state in turn, and as many again where the members are
        if i % 2 == 0 or not member_states:
            state = codes[(first_state + i // 2) % len(codes)]
        else:
            state = rng.choice(member_states)
        state_name = US_STATE_NAMES[state]
        tz_name = US_STATE_TIMEZONES.get(state, "America/New_York")
        tz = ZoneInfo(tz_name)
        fmt = rng.choice(FORMATS)
        who, library_types = rng.choice(AUDIENCES)
        topic = rng.choice(TOPICS)
        city, county = rng.choice(places[state])
        reach = rng.random()
        if reach < 0.55:
            place, city_field, where = city, city, f"{city}, {state_name}"
        elif reach < 0.75:
            place, city_field, where = county, county, f"{county}, {state_name}"
        else:
            place, city_field, where = state_name, "", state_name
        name = fmt[0].format(place=place, who=who, topic=topic)
        if name in taken_names:
            name = f"{name} ({rng.choice(['north', 'south', 'east', 'west', 'metro'])})"
        n = 2
        while name in taken_names:
            name, n = f"{name.rsplit(' #', 1)[0]} #{n}", n + 1
        taken_names.add(name)
        base = services.slug_base(name)
        slug, n = base, 2
        while slug in taken_slugs:
            slug, n = f"{base}-{n}", n + 1
        taken_slugs.add(slug)

        schedule = _schedule(rng, tz=tz, today=now.astimezone(tz).date(), fmt=fmt)
        online = (city_field == "" and rng.random() < 0.7) or rng.random() < 0.1
        venue_kind = "online" if online else ("hybrid" if rng.random() < 0.2 else "in_person")
        venue_city = city_field if city_field and city_field != county else city
        venue = {
            "venue_name": "",
            "address": "",
            "online_url": "",
        }
        if venue_kind != "online":
            venue["venue_name"] = _host(rng, library_types, city=venue_city, county=county)
            venue["address"] = (
                f"{rng.randint(10, 4999)} {rng.choice(STREETS)}, {venue_city}, {state}"
            )
        if venue_kind != "in_person":
            venue["online_url"] = f"https://meet.example/{slug}"
        words = {"who": who, "Who": _capitalised(who), "topic": topic, "where": where}
        description = " ".join(
            part
            for part in (
                rng.choice(INTROS).format(cadence=schedule["cadence"], **words),
                rng.choice(MIDDLES).format(**words),
                rng.choice(CLOSINGS[venue_kind]),
            )
            if part
        )
        visibility = "members" if rng.random() < 0.15 else "public"
        groups.append(
            Group(
                name=name,
                slug=slug,
                description=description,
                country="US",
                state=state,
                city=city_field,
                library_types=library_types,
                visibility=visibility,
                join_policy="approval" if rng.random() < 0.25 else "open",
            )
        )

        # the crowd: mostly from the state, topped up from everywhere
        size = rng.randint(6, 31)
        local = by_state.get(state, [])
        crowd = rng.sample(local, min(size, len(local))) if len(local) >= size // 2 else []
        chosen = set(crowd)
        while len(crowd) < min(size, len(everyone)):
            pk = rng.choice(everyone)
            if pk not in chosen:
                chosen.add(pk)
                crowd.append(pk)
        crowds.append(crowd)

        title = fmt[1].format(Topic=_capitalised(topic))
        if schedule["yearly"]:
            title = f"Annual {who} librarians’ day"
        meetups.append(
            Meetup(
                title=title,
                description=rng.choice(MEETUP_DESCRIPTIONS).format(topic=topic),
                start_date=schedule["start_date"],
                start_time=schedule["start_time"],
                duration=schedule["duration"],
                timezone=tz_name,
                rrule=schedule["rrule"],
                venue_kind=venue_kind,
                accessibility_notes=rng.choice(ACCESSIBILITY),
                cost_note=fmt[4] if rng.random() < 0.4 else "",
                capacity=rng.choice([None, None, None, 12, 16, 20, 24, 30, 40, 60]),
                rsvp_deadline_hours=rng.choice([0, 0, 0, 24, 48]),
                pd_credit_hours=Decimal(rng.choice(["0", "0", "0", "1", "1.5", "2"])),
                created_by_id=crowd[0],
                materialized_until=horizon,
                **venue,
            )
        )

    Group.objects.bulk_create(groups)
    for group, meetup in zip(groups, meetups, strict=True):
        meetup.group_id = group.pk
    Meetup.objects.bulk_create(meetups)

    # memberships: the first of each crowd organizes (a second one in a third of the groups);
    # approval groups have a request or two waiting
    memberships: list[tuple[int, int, str, str, str, datetime, datetime | None]] = []
    for group, crowd in zip(groups, crowds, strict=True):
        created = now - timedelta(days=rng.randint(60, 900))
        for position, pk in enumerate(crowd):
            organizer = position == 0 or (position == 1 and rng.random() < 0.33)
            joined = created + (now - created) * (position / len(crowd))
            memberships.append(
                (group.pk, pk, "organizer" if organizer else "member", "active", "", joined, joined)
            )
        if group.join_policy == "approval":
            for pk in rng.sample(everyone, rng.randint(0, 2)):
                if pk not in crowd:
                    asked = now - timedelta(days=rng.randint(1, 20))
                    message = rng.choice(JOIN_MESSAGES)
                    memberships.append((group.pk, pk, "member", "pending", message, asked, None))
    copy_rows(
        Membership,
        ["group", "member", "role", "status", "message", "requested_at", "joined_at"],
        memberships,
    )
    copy_rows(
        Group.organisations.through,
        ["group", "organisation"],
        [
            (group.pk, associations[group.state])
            for group in groups
            if group.state in associations and rng.random() < 0.3
        ],
    )

    # the dates, as occurrences_materialize makes them (no pauses yet: all scheduled)
    copy_rows(
        Occurrence,
        [
            "meetup",
            "original_start",
            "start",
            "end",
            "status",
            "cancel_reason",
            "venue_kind",
            "venue_name",
            "address",
            "accessibility_notes",
            "online_url",
            "note",
            "sequence",
            "updated_at",
        ],
        (
            (meetup.pk, start, start, start + meetup.duration, "scheduled", *[""] * 7, 0, now)
            for meetup in meetups
            for start in meetup.expand(before=horizon)
        ),
    )
    dates: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    for pk, meetup_id, start, end in (
        Occurrence.objects.filter(meetup__in=meetups)
        .order_by("start", "pk")
        .values_list("pk", "meetup_id", "start", "end")
    ):
        dates[meetup_id].append((pk, start, end))

    series, rsvps, attendance, cancelled = [], [], [], []
    for meetup, crowd in zip(meetups, crowds, strict=True):
        seats: dict[int, int] = defaultdict(int)

        def answer(occurrence_id, member_id, source, at, *, meetup=meetup, seats=seats):
            has_seat = meetup.capacity is None or seats[occurrence_id] < meetup.capacity
            seats[occurrence_id] += has_seat
            status = "going" if has_seat else "waitlisted"
            rsvps.append((occurrence_id, member_id, status, source, at, at))

        deadline = timedelta(hours=meetup.rsvp_deadline_hours)
        open_dates = [
            (pk, start)
            for pk, start, end in dates[meetup.pk]
            if start > now and now < start - deadline
        ]
        # "I come every time": applied to every open date, in the order people subscribed
        regulars = crowd[: rng.randint(2, 5)]
        for position, pk in enumerate(regulars):
            subscribed = now - timedelta(days=30 - position)
            series.append((meetup.pk, pk, subscribed))
        for occurrence_id, _ in open_dates:
            for pk in regulars:
                answer(occurrence_id, pk, "series", now)  # as the service stamps them
        # answers for the next date only
        if open_dates:
            next_id = open_dates[0][0]
            others = crowd[len(regulars) :]
            for pk in rng.sample(others, min(len(others), rng.randint(1, 6))):
                if rng.random() < 0.15:
                    at = now - timedelta(hours=rng.randint(1, 72))
                    rsvps.append((next_id, pk, "not_going", "explicit", at, at))
                else:
                    answer(next_id, pk, "explicit", now - timedelta(hours=rng.randint(1, 72)))
        # the last few dates took place: people went and were marked present
        past = [(pk, start, end) for pk, start, end in dates[meetup.pk] if end <= now][-4:]
        for occurrence_id, start, end in past:
            for pk in rng.sample(crowd, min(len(crowd), rng.randint(3, 10))):
                said = start - timedelta(days=5)
                rsvps.append((occurrence_id, pk, "going", "explicit", said, said))
                code = secrets.token_urlsafe(18)
                attendance.append(
                    (occurrence_id, pk, crowd[0], "organizer", meetup.pd_credit_hours, code, end)
                )
        # now and then a date is called off (answers are kept, as occurrence_cancel does)
        if len(open_dates) > 3 and rng.random() < 0.15:
            cancelled.append(open_dates[2][0])

    copy_rows(SeriesRSVP, ["meetup", "member", "created_at"], series)
    copy_rows(
        RSVP,
        ["occurrence", "member", "status", "source", "created_at", "status_changed_at"],
        rsvps,
    )
    copy_rows(
        Attendance,
        ["occurrence", "member", "marked_by", "method", "hours", "verification_code", "created"],
        attendance,
    )
    if cancelled:
        reason = rng.choice(CANCEL_REASONS)
        Occurrence.objects.filter(pk__in=cancelled).update(
            status="cancelled", cancel_reason=reason, sequence=1, updated_at=now
        )
    return [group.pk for group in groups]
