"""Demo groups for `seed_demo`: the groups the source document describes, with their members
and RSVPs. A group is made once (found again by name); `scale` > 1 adds generic groups from the
factories."""

from django.contrib.auth import get_user_model

DEMO_GROUPS = [
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
    import secrets
    from datetime import date, time, timedelta
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from groups import recurrence, services
    from groups.models import RSVP, Attendance, Group, Meetup, Membership, Occurrence
    from tests import factories

    User = get_user_model()
    people = list(User.objects.exclude(pk=demo.pk).order_by("pk"))
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

    # larger demos: more groups from the factories, topped up to the wanted number
    generic = Group.objects.filter(name__contains="librarians’ circle")
    for _ in range(max(0, 5 * (scale - 1) - generic.count())):
        organizer = people[Group.objects.count() % len(people)] if people else demo
        group = factories.GroupFactory(organizer=organizer)
        for person in people[:8]:
            if person != organizer:
                factories.MembershipFactory(group=group, member=person)
        factories.MeetupFactory(
            group=group,
            rrule="FREQ=MONTHLY;BYDAY=1TH",
            start_date=first_start(
                {"timezone": "America/Detroit", "rule": "FREQ=MONTHLY;BYDAY=1TH", "months_back": 0}
            ),
        )
    return {
        "groups": Group.objects.count(),
        "meetups": Meetup.objects.count(),
        "meetup dates": Occurrence.objects.count(),
        "RSVPs": RSVP.objects.count(),
        "attendances": Attendance.objects.count(),
    }
