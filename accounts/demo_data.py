"""Believable demo members for `seed_demo`: librarians of every type, real US ZIP codes (so
"near me" works), and the topics people actually ask each other about."""

from __future__ import annotations

import random
from typing import Any

import zipcodes
from allauth.account.models import EmailAddress
from django.db.models import Max
from faker import Faker
from taggit.models import Tag

from accounts.geo import ZipPlace, lookup_us_zip
from accounts.models import Profile, User
from accounts.services import profile_update
from kit.bulk import copy_rows, insert_instances, shared_password_hash
from kit.vocabularies import US_STATES, LibraryType
from tests.factories import TEST_PASSWORD, UserFactory

T = LibraryType

# name, job title, library, type, ZIP, can help with, want to learn, open to, bio
CURATED = [
    (
        "Rosa Delgado",
        "Teacher librarian",
        "Pioneer High School Library",
        T.HIGH_SCHOOL,
        "48104",
        ["college readiness", "information literacy", "makerspace"],
        ["OER", "grant writing"],
        {"visits", "joint_programs", "copresenting"},
        "I run a library that doubles as the school's **makerspace**. Our seniors research "
        "colleges with the public library's databases, and I'd love to do more of that across "
        "districts.",
    ),
    (
        "Tom Becker",
        "Teen services librarian",
        "Ann Arbor District Library",
        T.PUBLIC,
        "48104",
        ["summer reading", "teen programs", "makerspace"],
        ["college readiness"],
        {"visits", "calls", "joint_programs"},
        "Summer reading with three school districts: what worked was one shared reading log, not "
        "three. Happy to share the templates.",
    ),
    (
        "Keisha Moore",
        "Instruction coordinator",
        "Washtenaw Community College Library",
        T.COMMUNITY_COLLEGE,
        "48197",
        ["information literacy", "OER", "dual enrollment"],
        ["ebooks", "assessment"],
        {"calls", "mentoring", "joint_research"},
        "Dual-enrollment students arrive from a dozen high schools. I'd like to meet their "
        "librarians *before* September.",
    ),
    (
        "Priya Raman",
        "Electronic resources librarian",
        "Eastern Michigan University Library",
        T.ACADEMIC,
        "48197",
        ["ebooks", "database licensing", "OER"],
        ["makerspace"],
        {"calls", "copresenting", "joint_research"},
        "Licensing ebooks for a consortium taught me more about contracts than I ever wanted. Ask "
        "me anything about perpetual access.",
    ),
    (
        "Marcus Hill",
        "Library media specialist",
        "Ypsilanti Community Middle School",
        T.MIDDLE_SCHOOL,
        "48197",
        ["graphic novels", "book clubs"],
        ["grant writing", "makerspace"],
        {"visits", "mentoring"},
        "Middle schoolers will read anything with panels. Our lunch book club started with four "
        "kids and now fills the library.",
    ),
    (
        "Linda Kowalski",
        "Director",
        "Detroit Public Library, Main Branch",
        T.PUBLIC,
        "48226",
        ["grant writing", "advocacy", "volunteer management"],
        ["OER"],
        {"calls", "mentoring", "copresenting"},
        "Twenty years of grant applications: the ones that won told one family's story.",
    ),
    (
        "Daniel Okafor",
        "Law librarian",
        "Wayne County Law Library",
        T.SPECIAL_LAW,
        "48226",
        ["legal research", "self-help legal clinics"],
        ["digital literacy"],
        {"calls", "joint_programs"},
        "We run legal-help evenings with the public library. Patrons don't care which library "
        "they're in, so neither should we.",
    ),
    (
        "Grace Lindqvist",
        "Youth services coordinator",
        "Capital Area District Libraries",
        T.PUBLIC,
        "48933",
        ["storytime", "early literacy", "summer reading"],
        ["teen programs"],
        {"visits", "joint_programs"},
        "Storytime in twelve branches, one shared calendar.",
    ),
    (
        "Samuel Whitefeather",
        "Librarian",
        "Keweenaw Bay Ojibwa Community College Library",
        T.TRIBAL,
        "49931",
        ["community archives", "language revitalization"],
        ["grant writing"],
        {"visits", "calls", "joint_research"},
        "Our collection holds Ojibwe language recordings the community asked us to keep. I'm glad "
        "to talk about community-led archives.",
    ),
    (
        "Erin MacAllister",
        "Consultant",
        "Upper Peninsula Region of Library Cooperation",
        T.COOPERATIVE,
        "49855",
        ["continuing education", "resource sharing", "advocacy"],
        ["OER"],
        {"visits", "calls", "mentoring", "copresenting"},
        "Libraries up here are two hours apart. Monthly video calls turned strangers into "
        "colleagues.",
    ),
    (
        "Hannah Price",
        "School librarian",
        "Marquette Senior High School",
        T.HIGH_SCHOOL,
        "49855",
        ["information literacy", "college readiness"],
        ["ebooks"],
        {"calls", "joint_programs"},
        "Only librarian in the district. I'd love a colleague to compare notes with.",
    ),
    (
        "Nora Feldman",
        "Medical librarian",
        "Bronson Methodist Hospital Library",
        T.SPECIAL_MEDICAL,
        "49007",
        ["health literacy", "evidence-based practice"],
        ["digital literacy"],
        {"calls", "copresenting"},
        "Consumer health information belongs in public libraries too.",
    ),
    (
        "Carlos Mendoza",
        "Branch manager",
        "Trenton Free Public Library",
        T.PUBLIC,
        "08608",
        ["digital literacy", "ESL programs", "outreach"],
        ["grant writing"],
        {"visits", "joint_programs", "mentoring"},
        "Our ESL conversation circles are run by volunteers from the community college.",
    ),
    (
        "Abigail Stone",
        "Head of library",
        "Lawrenceville School Library",
        T.INDEPENDENT_SCHOOL,
        "08540",
        ["research skills", "archives for students"],
        ["makerspace"],
        {"visits", "copresenting"},
        "Independent school librarians meet once a year at a conference; I'd like more than "
        "once a year.",
    ),
    (
        "Wei Zhang",
        "Scholarly communications librarian",
        "Rutgers University Libraries",
        T.ACADEMIC,
        "08901",
        ["OER", "open access", "copyright"],
        ["community archives"],
        {"copresenting", "joint_research", "mentoring"},
        "I help faculty replace $200 textbooks. High school teachers ask the same questions.",
    ),
    (
        "Maria Santos",
        "Director",
        "New Jersey Library Cooperative",
        T.COOPERATIVE,
        "08608",
        ["resource sharing", "continuing education"],
        ["advocacy"],
        {"calls", "copresenting"},
        "Cooperatives exist so no library has to solve the same problem alone.",
    ),
    (
        "Beth Carter",
        "Elementary media specialist",
        "Sabal Palm Elementary",
        T.ELEMENTARY_SCHOOL,
        "32301",
        ["early literacy", "summer reading", "makerspace"],
        ["ebooks"],
        {"visits", "joint_programs"},
        "Our summer reading kickoff happens at the public library now, and checkouts doubled.",
    ),
    (
        "James Holloway",
        "Director",
        "Panhandle Public Library Cooperative System",
        T.COOPERATIVE,
        "32401",
        ["grant writing", "rural libraries", "bookmobiles"],
        ["digital literacy"],
        {"visits", "calls", "mentoring"},
        "Three rural counties, one bookmobile, a lot of miles. Happy to share route planning.",
    ),
    (
        "Olivia Grant",
        "Reference librarian",
        "Florida State University Libraries",
        T.ACADEMIC,
        "32301",
        ["information literacy", "library instruction"],
        ["college readiness"],
        {"copresenting", "joint_research"},
        "First-year students arrive without ever having used a database. Let's fix that together.",
    ),
    (
        "Tyler Brooks",
        "Knowledge manager",
        "Koch Industries Information Center",
        T.SPECIAL_CORPORATE,
        "67202",
        ["competitive intelligence", "database licensing"],
        ["OER"],
        {"calls"},
        "Corporate libraries are small teams; I learn the most from public librarians.",
    ),
    (
        "Ruth Yazzie",
        "Librarian",
        "Navajo Nation Library",
        T.TRIBAL,
        "86515",
        ["community archives", "outreach"],
        ["grant writing", "ebooks"],
        {"visits", "calls", "joint_programs"},
        "We serve a nation the size of West Virginia.",
    ),
    (
        "Anne Dubois",
        "State data coordinator",
        "Kansas State Library",
        T.STATE_LIBRARY,
        "66603",
        ["library statistics", "advocacy", "continuing education"],
        ["makerspace"],
        {"calls", "copresenting"},
        "Numbers tell the story legislators listen to.",
    ),
    (
        "Ben Schultz",
        "Makerspace librarian",
        "Lawrence Public Library",
        T.PUBLIC,
        "66044",
        ["makerspace", "3D printing", "teen programs"],
        ["college readiness"],
        {"visits", "joint_programs", "copresenting"},
        "Our sound booth is booked every afternoon.",
    ),
    (
        "Fatima Haddad",
        "Librarian",
        "Columbia Public Schools, Hickman High",
        T.HIGH_SCHOOL,
        "65201",
        ["college readiness", "research skills"],
        ["OER", "makerspace"],
        {"visits", "mentoring"},
        "I teach research the way the university library down the road expects it.",
    ),
]
JOB_TITLES = {
    "school": ["School librarian", "Library media specialist", "Teacher librarian"],
    "public": ["Branch manager", "Youth services librarian", "Adult services librarian",
               "Reference librarian", "Outreach librarian"],
    "academic": ["Reference librarian", "Instruction librarian", "Archivist",
                 "Electronic resources librarian"],
    "special": ["Information specialist", "Knowledge manager", "Research librarian"],
    "tribal": ["Librarian", "Library director"],
    "state": ["Library consultant", "Library development specialist"],
    "cooperative": ["Consultant", "Continuing education coordinator"],
}  # fmt: skip
LIBRARY_SUFFIX = {
    "school": "High School Library",
    "public": "Public Library",
    "academic": "College Library",
    "special": "Information Center",
    "tribal": "Tribal Library",
    "state": "State Library",
    "cooperative": "Library Cooperative",
}
ZIP_POOL = [
    "48104", "48197", "48226", "48933", "49503", "49855", "49931", "49801", "49007", "48858",
    "48602", "49684", "08608", "07102", "08901", "07960", "08540", "07030", "32301", "32501",
    "32401", "32548", "32601", "33101", "66044", "66603", "67202", "65201", "63103", "64106",
    "60601", "61820", "10001", "14604", "12207", "78701", "43215", "94612", "87501",
]  # fmt: skip
TOPICS = [
    "makerspace", "college readiness", "summer reading", "OER", "ebooks", "grant writing",
    "information literacy", "storytime", "STEM", "genealogy", "digital literacy",
    "collection development", "teen programs", "library instruction", "volunteer management",
    "outreach", "dual enrollment", "advocacy", "graphic novels", "book clubs",
]  # fmt: skip
OPEN_TO = ["visits", "calls", "mentoring", "copresenting", "joint_research", "joint_programs"]
DEMO_PROFILE = {
    "job_title": "School library media specialist",
    "library_name": "Huron High School Library",
    "library_type": T.HIGH_SCHOOL,
    "postal_code": "48104",
    "can_help_with": ["information literacy", "makerspace"],
    "want_to_learn": ["grant writing", "OER"],
    "open_to": {"visits", "calls", "joint_programs"},
    "bio": "I'm trying out Librarian Commons. Ask me about our **makerspace** and the research "
    "unit we teach with the public library.",
}


def curated_email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@demo.librarian-commons.example"


def seed_members(*, wanted: int, demo_user) -> int:
    """The demo member's profile, curated colleagues (updated in place on every run), then
    generated members up to `wanted` others, in bulk. Idempotent. Returns the number of
    members."""
    _apply(demo_user, **DEMO_PROFILE)
    for index, (name, job, library, kind, zip_code, helps, learns, open_to, bio) in enumerate(
        CURATED
    ):
        email = curated_email(name)
        user = User.objects.filter(email=email).first() or UserFactory(email=email)
        if user.display_name != name:
            user.display_name = name
            user.save(update_fields=["display_name"])
        _apply(
            user,
            job_title=job,
            library_name=library,
            library_type=kind,
            postal_code=zip_code,
            can_help_with=helps,
            want_to_learn=learns,
            open_to=open_to,
            bio=bio,
            # half of them public, so visitors see a directory too
            visibility=Profile.Visibility.PUBLIC if index % 2 == 0 else Profile.Visibility.MEMBERS,
        )

    missing = max(0, wanted - User.objects.exclude(pk=demo_user.pk).count())
    seed_members_bulk(missing, seed=2026 + User.objects.count())
    return User.objects.count()


def seed_members_bulk(count: int, *, seed: int = 2026) -> int:
    """`count` more verified members with complete profiles, inserted in bulk: every library
    type, real ZIP codes in every state (a third of them around the curated ones, so "near
    me" has neighbours), topics, open-to flags. They share one password hash (the test
    password). Fast enough for 20,000 members (`seed_demo --scale 500`)."""
    if count <= 0:
        return 0
    rng, fake = random.Random(seed), Faker("en_US")
    fake.seed_instance(seed)
    local, national = _zip_places()
    kinds = [choice for choice, _label in LibraryType.choices]
    password = shared_password_hash(TEST_PASSWORD)
    first = (User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    users = [
        User(
            email=f"member{first + i}@libraries.example",
            display_name=fake.name(),
            password=password,
        )
        for i in range(count)
    ]
    insert_instances(User, users)  # PostgreSQL returns the new primary keys

    def profile(user: User) -> Profile:
        kind = rng.choice(kinds)
        family = LibraryType.family(kind)
        place = rng.choice(local if rng.random() < 0.3 else national)
        flags = rng.sample(OPEN_TO, k=rng.randint(0, 3))
        return Profile(
            user=user,
            job_title=rng.choice(JOB_TITLES.get(family, JOB_TITLES["special"])),
            library_name=f"{place.city} {LIBRARY_SUFFIX.get(family, 'Library')}",
            library_type=kind,
            audiences=rng.sample(["children", "teens", "adults", "students"], k=2),
            country="US",
            state=place.state,
            city=place.city,
            postal_code=place.zip_code,
            latitude=place.latitude,
            longitude=place.longitude,
            visibility=rng.choices(
                [Profile.Visibility.MEMBERS, Profile.Visibility.PUBLIC, Profile.Visibility.HIDDEN],
                weights=[70, 25, 5],
            )[0],
            **{f"open_to_{flag}": True for flag in flags},
        )

    profiles = [profile(user) for user in users]
    insert_instances(Profile, profiles)
    insert_instances(
        EmailAddress,
        (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
    )
    tags = {name: Tag.objects.get_or_create(name=name)[0].pk for name in TOPICS}
    for field_name, most in (("can_help_with", 3), ("want_to_learn", 2)):
        through = getattr(Profile, field_name).through  # taggit's manager
        copy_rows(
            through,
            ["content_object", "tag"],
            (
                (p.pk, tags[name])
                for p in profiles
                for name in rng.sample(TOPICS, k=rng.randint(1, most))
            ),
        )
    Profile.objects.filter(pk__in=[p.pk for p in profiles]).refresh_search_index()
    return count


def _zip_places():
    """(places around the curated members, places in every state): real ZIP centroids."""
    local = [lookup_us_zip(code) for code in ZIP_POOL]
    by_state: dict[str, list] = {}
    for row in zipcodes.filter_by(active=True, zip_code_type="STANDARD"):
        if row["lat"] and row["long"]:
            by_state.setdefault(row["state"], []).append(row)
    national = []
    for code, _name in US_STATES:
        rows = by_state.get(code, [])
        national.extend(
            ZipPlace(row["zip_code"], row["city"], row["state"],
                     float(row["lat"]), float(row["long"]))
            for row in rows[:: max(1, len(rows) // 12)]  # a dozen spread over the state
        )  # fmt: skip
    return [place for place in local if place], national


def _apply(user, *, open_to, postal_code, can_help_with, want_to_learn, **fields) -> None:
    place = lookup_us_zip(postal_code)
    if place is None:
        raise ValueError(f"no ZIP code {postal_code} for a demo member")
    profile = Profile.objects.get_or_create(user=user)[0]
    open_to_flags: dict[str, Any] = {f"open_to_{flag}": flag in open_to for flag in OPEN_TO}
    profile_update(
        profile=profile,
        country="US",
        state=place.state,
        city=place.city,
        postal_code=postal_code,
        can_help_with=can_help_with,
        want_to_learn=want_to_learn,
        **open_to_flags,
        **{name: value for name, value in fields.items() if name != "visibility"},
    )
    if "visibility" in fields and profile.visibility != fields["visibility"]:
        profile.visibility = fields["visibility"]
        profile.save(update_fields=["visibility"])
