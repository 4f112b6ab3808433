"""Demo stories for `seed_demo`: what librarians in the source document actually describe —
a monthly long lunch, a college readiness dialogue, reading programs with a school district,
academic and public librarians researching together, an independent-school listserv.

Idempotent: stories are found by title, so running it again adds nothing twice.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from accounts.models import Profile
from kit.bulk import copy_instances, copy_rows
from stories.models import Comment, HelpfulVote, Story, TaggedStory
from tests import factories

DEMO_DOMAIN = "demo.librarian-commons.example"

AUTHORS = {
    "marisol": ("Marisol Ortiz", "middle_school", "MI", "Marquette", "Library media specialist"),
    "dwayne": ("Dwayne Carter", "high_school", "KS", "Overland Park", "Teacher librarian"),
    "ruth": ("Ruth Abernathy", "public", "NJ", "Trenton", "Youth services manager"),
    "priya": ("Priya Raman", "academic", "MO", "Kansas City", "Instruction librarian"),
    "thomas": ("Thomas Greer", "independent_school", "FL", "Tallahassee", "Head of library"),
    "grace": ("Grace Lindqvist", "public", "MI", "Escanaba", "Branch librarian"),
    "omar": ("Omar Haddad", "community_college", "IL", "Joliet", "Reference librarian"),
    "june": (
        "June Whitfield",
        "cooperative",
        "NJ",
        "Princeton",
        "Cooperative services coordinator",
    ),
}
# a real ZIP code in each author's town, so "near me" places them
AUTHOR_ZIPS = {
    "marisol": "49855",
    "dwayne": "66212",
    "ruth": "08608",
    "priya": "64110",
    "thomas": "32301",
    "grace": "49829",
    "omar": "60432",
    "june": "08540",
}

STORIES: list[dict[str, Any]] = [
    {
        "author": "marisol",
        "kind": "success",
        "title": "A monthly long lunch for our district's middle-school librarians",
        "summary": (
            "Once a month the six middle-school librarians in our district take a long lunch "
            "together. Two years in, it is where most of our best ideas start."
        ),
        "situation": (
            "Each of our six middle schools has exactly one librarian. We saw each other at "
            "district in-service days and nowhere else, and we kept solving the same problems "
            "six times over: overdue fines, research units, the new database nobody used."
        ),
        "what_we_did": (
            "- We asked our principals for a 90-minute lunch on the **first Wednesday** of each "
            "month and rotated the host school.\n"
            "- The host brings one problem and one thing that worked; everyone else brings "
            "lunch.\n"
            "- We keep a shared document of what we tried, so nothing depends on who was there."
        ),
        "results": (
            "We now run one shared research unit for 7th grade instead of six different ones, "
            "and we negotiated a joint database subscription that saved about $4,000. Two of "
            "us co-presented at the state conference."
        ),
        "do_differently": (
            "Invite the high-school librarians from the start: students arrive there with "
            "whatever habits we gave them."
        ),
        "resources": "Our shared lunch agenda template https://example.org/long-lunch-agenda",
        "library_types": ["middle_school"],
        "audiences": ["students", "faculty"],
        "tags": ["collaboration", "professional development", "meetups"],
        "days_ago": 120,
        "comments": [
            (
                "grace",
                "We do the same with the branch staff in our county. The shared document "
                "is the key: people who miss a month still benefit.",
            ),
            (
                "thomas",
                "How did you convince principals to release you for 90 minutes? Ours "
                "count every minute of coverage.",
            ),
            (
                "marisol",
                "We framed it as professional development and logged it that way. "
                "Having the first three meetings' notes to show helped a lot.",
            ),
        ],
        "helpful": 9,
    },
    {
        "author": "dwayne",
        "kind": "success",
        "title": "College Readiness Dialogue: school, public and academic librarians in one room",
        "summary": (
            "A free annual meeting in the Kansas City metro, on both sides of the state line, "
            "where school librarians sit with academic and public librarians to talk about "
            "preparing students for college research."
        ),
        "situation": (
            "Academic librarians told us first-year students could not tell a database from a "
            "search engine. We told them we teach exactly that, to 30 students at a time, "
            "with 20 minutes a visit. Nobody had ever put us in the same room."
        ),
        "what_we_did": (
            "We booked a community-college lecture hall on a Saturday in November, kept it "
            "free, and invited public, private and alternative school librarians plus every "
            "college within an hour's drive. Mornings are short talks; afternoons are "
            "round tables by topic."
        ),
        "results": (
            "Our second year drew **more than 90 school librarians** and invited educators, "
            "with 14 colleges and universities represented, and the major public library "
            "systems took part. Three colleges now share their first-year research "
            "assignments with us in advance."
        ),
        "do_differently": (
            "Collect email addresses with consent at registration: we lost touch with half "
            "the first year's people."
        ),
        "library_types": ["high_school", "academic", "public", "community_college"],
        "audiences": ["students", "faculty"],
        "tags": ["college readiness", "information literacy", "school-public partnerships"],
        "days_ago": 95,
        "comments": [
            (
                "priya",
                "I came the second year from the university side. The round table on "
                "citation habits changed how I run our first-year sessions.",
            ),
            (
                "omar",
                "Would you share the round-table topics list? We'd like to try this around Joliet.",
            ),
        ],
        "helpful": 14,
    },
    {
        "author": "ruth",
        "kind": "success",
        "title": "Two reading programs run together with our local school district",
        "summary": (
            "Given the state of school and public library budgets, we pooled staff with the "
            "district for two ongoing reading programs. Both libraries benefit, and so does "
            "our case to the library board."
        ),
        "situation": (
            "Our children's room and the district's elementary libraries were each running a "
            "summer reading push with half the staff they needed."
        ),
        "what_we_did": (
            "1. One shared summer reading log, paper and online, accepted at every school "
            "and branch.\n"
            "2. A monthly 'reading buddies' visit: our staff read in classrooms, school "
            "librarians host family nights at the branch."
        ),
        "results": (
            "Summer sign-ups rose 35% in the first year. The joint numbers carried real "
            "weight with our policy-making body at budget time."
        ),
        "do_differently": "Agree on who reports which numbers before the summer starts.",
        "library_types": ["public", "elementary_school"],
        "audiences": ["children", "families"],
        "tags": ["reading programs", "summer reading", "school-public partnerships"],
        "days_ago": 80,
        "comments": [
            (
                "marisol",
                "The shared reading log is brilliant. Did the district need a data "
                "agreement for the online version?",
            ),
            ("ruth", "Yes, a one-page agreement: we only store first names and school."),
        ],
        "helpful": 11,
    },
    {
        "author": "priya",
        "kind": "lesson",
        "title": "Our joint research project with the public library stalled: what we learned",
        "summary": (
            "Academic and public librarians could do a lot for each other by researching "
            "together. Our first attempt fizzled after a promising start; here is why."
        ),
        "situation": (
            "We wanted to study how adult learners use both the university and public "
            "libraries. The public library had the patrons; we had the research time."
        ),
        "what_we_did": (
            "We wrote a survey together and launched it in both places during the spring semester."
        ),
        "results": (
            "We collected 60 responses, mostly from our own students. The public library's "
            "staff had no time set aside, and our ethics approval took eleven weeks, by "
            "which point their summer programs had started."
        ),
        "do_differently": (
            "- Ask for the ethics approval **before** planning the calendar.\n"
            "- Budget the public library's staff time in the project, not as a favour.\n"
            "- Start with a small shared question, not a survey of everything."
        ),
        "library_types": ["academic", "public"],
        "audiences": ["adults", "researchers"],
        "tags": ["joint research", "research skills", "collaboration"],
        "days_ago": 60,
        "comments": [
            (
                "june",
                "The staff-time point is so true. Our cooperative now has a small grant "
                "line exactly for backfilling public library staff on joint projects.",
            ),
        ],
        "helpful": 6,
    },
    {
        "author": "thomas",
        "kind": "success",
        "title": "An independent-school listserv that actually gets answers",
        "summary": (
            "The general associations rarely speak to what independent-school librarians do. "
            "Our own listserv, plus an annual conference, does."
        ),
        "situation": (
            "I'm a middle and high school media specialist in an independent school. Most "
            "professional groups I belong to mix corporate, academic, elementary and special "
            "librarians; I enjoy them, but little of it maps to my day."
        ),
        "what_we_did": (
            "After our annual conference we kept the conversation going on a listserv with "
            "three simple rules: say your grade levels, share what you tried, and report "
            "back."
        ),
        "results": (
            "Most questions get three or four useful answers within a day. School visits "
            "between members have become normal, not exceptional."
        ),
        "do_differently": "Archive the best threads somewhere searchable. This site may be it.",
        "library_types": ["independent_school"],
        "audiences": ["students", "faculty"],
        "tags": ["listservs", "collaboration"],
        "days_ago": 45,
        "comments": [],
        "helpful": 5,
    },
    {
        "author": "dwayne",
        "kind": "challenge",
        "title": "How do we get teachers to plan lessons with the library?",
        "summary": (
            "We preach collaboration to our students; I'd like to practise it with our "
            "teachers. Invitations to co-plan research units mostly go unanswered."
        ),
        "situation": (
            "A high school of 1,400 students, one librarian. Teachers are friendly but book "
            "the library as a room, not as a partner."
        ),
        "what_we_did": "Emails at the start of each term, and a co-planning form on the intranet.",
        "results": (
            "Ideas for getting into the planning conversation, especially ones that worked "
            "at a school like ours."
        ),
        "library_types": ["high_school"],
        "audiences": ["faculty"],
        "tags": ["collaboration", "information literacy"],
        "days_ago": 30,
        "comments": [
            (
                "grace",
                "Could you offer one finished mini-lesson per department as a sample? "
                "People say yes to something concrete.",
            ),
            (
                "marisol",
                "At my school I started a collaboration group that works with "
                "teachers on lesson planning: me, our IB coordinator and our TAG coordinator. "
                "Coming as a group of three made it part of planning rather than an extra.",
            ),
        ],
        "answer": 1,
        "helpful": 8,
    },
    {
        "author": "grace",
        "kind": "challenge",
        "title": "Summer reading sign-ups fell by a third: what would you try?",
        "summary": (
            "Our small branch in the Upper Peninsula saw summer reading sign-ups drop by a "
            "third this year. Looking for ideas from libraries that turned this around."
        ),
        "situation": (
            "Rural branch, two staff. Families drive 30 minutes to reach us, and the school "
            "bus no longer stops nearby."
        ),
        "what_we_did": (
            "Flyers through the schools and a bigger prize table. Neither moved the numbers."
        ),
        "results": "Ways to reach families who can't easily come to the branch.",
        "do_differently": "Anything that costs staff time needs to fit two people.",
        "library_types": ["public"],
        "audiences": ["children", "families"],
        "tags": ["summer reading", "reading programs"],
        "days_ago": 12,
        "comments": [
            (
                "ruth",
                "Our shared reading log with the schools let kids sign up without a trip "
                "to the branch. Happy to send you the form.",
            ),
        ],
        "helpful": 3,
    },
    {
        "author": "june",
        "kind": "challenge",
        "title": "Sharing database subscriptions across a regional cooperative on a tiny budget",
        "summary": (
            "Our cooperative includes school, public and academic members. A shared database "
            "bundle would save everyone money, but licences are priced per institution type."
        ),
        "situation": "Twenty-three member libraries of four types, one coordinator (me).",
        "results": (
            "Has any cooperative negotiated a mixed-type consortium licence? What did the "
            "vendor need to hear?"
        ),
        "library_types": ["cooperative", "public", "academic", "high_school"],
        "audiences": ["adults", "students"],
        "tags": ["budget cuts", "cooperatives", "collaboration"],
        "days_ago": 6,
        "comments": [],
        "helpful": 2,
    },
    {
        "author": "omar",
        "kind": "lesson",
        "title": "The dinner meetup with PD credit: the paperwork we underestimated",
        "summary": (
            "Librarians from several districts meet monthly for dinner, and attendees can "
            "receive credit for attending. Getting the credit approved took longer than "
            "starting the dinners."
        ),
        "situation": "Eight districts, each with its own rules for professional-development hours.",
        "what_we_did": "We asked each district to approve the series separately.",
        "results": (
            "Five districts approved within a term; three needed a formal agenda and sign-in "
            "sheet for every single dinner."
        ),
        "do_differently": (
            "Use one agenda and sign-in template that meets the strictest district's rules "
            "from the first dinner."
        ),
        "library_types": ["community_college", "high_school", "middle_school"],
        "audiences": ["professionals"],
        "tags": ["professional development", "meetups"],
        "days_ago": 20,
        "comments": [
            ("dwayne", "The strictest-rules template is the move. Saved us a semester."),
        ],
        "helpful": 4,
    },
]

DRAFT = {
    "kind": "success",
    "title": "Middle-school years: a joint program with the public library's teen services",
    "summary": "Notes so far on the program we are planning with the branch's teen librarian.",
    "situation": "Students aged 12 to 14 fall between children's and teen services.",
    "tags": ["teen services", "school-public partnerships"],
}

# more stories for `--scale N`: believable combinations, each title unique
EXTRA_PROGRAMS = [
    ("success", "Book club for reluctant readers", "reading programs"),
    ("lesson", "A makerspace that nobody used", "makerspaces"),
    ("success", "Teaching source evaluation with local news", "information literacy"),
    ("challenge", "Keeping a collection current after budget cuts", "budget cuts"),
    ("success", "Homework help with the public library after school", "school-public partnerships"),
    ("lesson", "Our first library podcast", "teen services"),
    ("challenge", "Finding substitutes so I can attend meetups", "professional development"),
    ("success", "Research consultations for dual-enrolment students", "college readiness"),
]
EXTRA_PLACES = [
    ("MI", "the Upper Peninsula"),
    ("NJ", "central New Jersey"),
    ("FL", "the Florida Panhandle"),
    ("KS", "the Kansas City suburbs"),
    ("MO", "rural Missouri"),
    ("IL", "the Chicago suburbs"),
    ("TX", "West Texas"),
    ("OH", "northeast Ohio"),
]
STORIES_PER_SCALE = 200  # `seed_demo --scale 500` → 100,000 stories
EXTRA_COMMENTS = [
    "We tried something similar last year. Starting small made all the difference.",
    "Thank you for writing this up. Could you share the handout you used?",
    "Our cooperative has a small grant for exactly this kind of project; worth asking yours.",
    "This is the kind of thing I would never have heard about otherwise. Saving it.",
    "How did you get buy-in from administration? That's where we always stall.",
    "We did the opposite and regretted it, so this rings true.",
    "Did you track anything beyond attendance? Our board keeps asking for outcomes.",
    "Sharing this with our county's school librarians' listserv.",
    "We partnered with the community college for this and it halved the work.",
    "What would you do with half the budget? That is about what we have.",
    "The bit about talking to the people it was for first is the whole lesson, I think.",
    "If you ever present this at the regional meetup, I'll be there.",
]


def _extra_text(kind: str, program: str, place: str) -> dict[str, str]:
    """Plain, believable text for the stories `--scale` adds."""
    topic = program[0].lower() + program[1:]
    text = {
        "summary": f"{program}: what a library in {place} tried, and what colleagues can reuse.",
        "situation": (
            f"Like many libraries in {place}, we work with a small team and a smaller "
            f"budget. {program} came up at our regional meetup as something several of us "
            "wanted to try."
        ),
        "what_we_did": (
            "- Asked two neighbouring libraries what they had already tried\n"
            "- Started with one term and one partner\n"
            "- Kept a short log of what happened each week"
        ),
        "results": "Attendance and feedback were steady enough to keep going next year.",
        "do_differently": "Ask colleagues earlier: most of our questions had been answered before.",
    }
    if kind == "challenge":
        text["results"] = f"Ideas from anyone who has made {topic} work with few staff."
        text["do_differently"] = ""
    elif kind == "lesson":
        text["results"] = "Too few people came, and we stopped after a term."
        text["do_differently"] = "Talk to the people it was for before buying anything."
    return text


def _author(key):
    User = get_user_model()
    name, library_type, state, city, job = AUTHORS[key]
    email = f"{key}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = factories.UserFactory(
            email=email,
            display_name=name,
            profile__library_type=library_type,
            profile__state=state,
            profile__city=city,
            profile__job_title=job,
            profile__postal_code=AUTHOR_ZIPS[key],
        )
    return user


def _publish_dates(story, days_ago: int) -> None:
    when = timezone.now() - timedelta(days=days_ago, hours=random.randint(0, 12))
    Story.objects.filter(pk=story.pk).update(created_at=when, published_at=when)


def seed_stories(*, scale: int, demo_user) -> dict[str, int]:
    rng = random.Random(4)
    authors = {key: _author(key) for key in AUTHORS}
    # the demo member can help with what these stories are about, so "Ask a colleague" finds them
    for key in ("grace", "ruth"):
        authors[key].profile.can_help_with.add("reading programs", "collaboration")
    readers = list(get_user_model().objects.filter(is_active=True).order_by("pk")[:200])

    for spec in STORIES:
        if Story.objects.filter(title=spec["title"]).exists():
            continue
        fields = {
            key: value
            for key, value in spec.items()
            if key not in {"author", "tags", "days_ago", "comments", "helpful", "answer"}
        }
        author = authors[spec["author"]]
        story = factories.StoryFactory(
            author=author,
            state=author.profile.state,
            tags=spec["tags"],
            **{"what_we_did": "", "results": "", "do_differently": "", **fields},
        )
        _publish_dates(story, spec["days_ago"])
        comments = [
            factories.CommentFactory(story=story, author=authors[who], body=body)
            for who, body in spec["comments"]
        ]
        for offset, comment in enumerate(comments):
            when = timezone.now() - timedelta(days=spec["days_ago"] - 1 - offset)
            Comment.objects.filter(pk=comment.pk).update(created_at=when)
        if "answer" in spec:
            Story.objects.filter(pk=story.pk).update(solved_answer=comments[spec["answer"]])
        voters = [r for r in readers if r.pk != author.pk]
        for reader in rng.sample(voters, min(spec["helpful"], len(voters))):
            factories.HelpfulVoteFactory(story=story, member=reader)

    # the demo member has an open challenge of their own and a draft, to try every feature
    demo_challenge_title = "Getting a school-public library card program off the ground"
    if not Story.objects.filter(title=demo_challenge_title).exists():
        story = factories.StoryFactory(
            author=demo_user,
            kind="challenge",
            title=demo_challenge_title,
            summary=(
                "We want every student in the district to have a public library card. The "
                "district is willing; the data-sharing agreement is where we are stuck."
            ),
            situation="Four schools, one branch, and a privacy office that has never said yes.",
            what_we_did="A draft agreement based on another state's template.",
            results="Examples of agreements your district's privacy office accepted.",
            do_differently="",
            state=demo_user.profile.state,
            tags=["school-public partnerships", "reading programs"],
        )
        _publish_dates(story, 3)
        factories.CommentFactory(
            story=story,
            author=authors["ruth"],
            body="Ours only shares name, grade and school; the privacy office liked that the "
            "card expires when the student leaves the district.",
        )
    if not Story.objects.filter(title=DRAFT["title"]).exists():
        factories.StoryFactory(
            author=demo_user,
            status="draft",
            what_we_did="",
            results="",
            do_differently="",
            **DRAFT,
        )

    # --scale N: many more stories in bulk, topped up to STORIES_PER_SCALE × scale
    if scale > 1:
        seed_stories_bulk(max(0, STORIES_PER_SCALE * scale - Story.objects.count()), rng=rng)

    return {
        "stories": Story.objects.count(),
        "comments": Comment.objects.count(),
        "helpful votes": HelpfulVote.objects.count(),
    }


EXTRA_TOPICS = [
    "collaboration", "grant writing", "summer reading", "OER", "ebooks", "storytime", "STEM",
    "outreach", "advocacy", "graphic novels", "book clubs", "digital literacy", "genealogy",
]  # fmt: skip


def seed_stories_bulk(count: int, *, rng: random.Random, batch_size: int = 5000) -> int:
    """`count` more published stories by the members already there, inserted in bulk with
    their tags, comments and helpful votes (counters and search vectors set as the services
    would). One of them has exactly 50 comments — the benchmark's long discussion — unless a
    story already has. Fast enough for 100,000 stories (`seed_demo --scale 500`)."""
    if count <= 0:
        return 0
    authors = list(
        Profile.objects.exclude(library_type="")
        .order_by("user_id")
        .values_list("user_id", "library_type", "state", "city", "library_name")
    )
    members = [author[0] for author in authors]
    if len(members) < 60:
        raise RuntimeError("seed members before stories: the bulk stories need authors")
    tag_names = {tag for _kind, _program, tag in EXTRA_PROGRAMS} | set(EXTRA_TOPICS)
    tags = {name: Tag.objects.get_or_create(name=name)[0].pk for name in sorted(tag_names)}
    titles = set(Story.objects.values_list("title", flat=True))
    long_discussion = not Story.objects.filter(comment_count=50).exists()
    now = timezone.now()

    def title_for(program: str, library: str) -> str:
        title, year = f"{program} at {library}", 1
        while title in titles:
            year += 1
            title = f"{program} at {library} (year {year})"
        titles.add(title)
        return title

    made = 0
    while made < count:
        size = min(batch_size, count - made)
        stories: list[tuple[Story, list[str], list[int]]] = []
        comments: list[tuple[int, int, str, Any, str]] = []
        votes: list[tuple[int, int, Any]] = []
        topics: list[tuple[int, int]] = []
        for _ in range(size):
            author, library_type, state, city, library = rng.choice(authors)
            kind, program, tag = rng.choice(EXTRA_PROGRAMS)
            published = now - timedelta(days=rng.uniform(1, 1100))
            commenters = 50 if long_discussion else rng.choice((0, 0, 1, 1, 2, 3, 4, 6, 9))
            long_discussion = False
            voters = rng.sample(members, rng.choice((0, 0, 1, 2, 3, 5, 8, 13)))
            voters = [member for member in voters if member != author]
            title = title_for(program, library)
            stories.append(
                (
                    Story(
                        kind=kind,
                        status=Story.Status.PUBLISHED,
                        title=title,
                        slug=slugify(title)[:180].strip("-") or "story",
                        author_id=author,
                        library_types=[library_type],
                        audiences=rng.sample(["children", "teens", "adults", "students"], k=1),
                        country="US",
                        state=state,
                        created_at=published,
                        published_at=published,
                        comment_count=commenters,
                        helpful_count=len(voters),
                        **_extra_text(kind, program, f"{city}, {state}"),
                    ),
                    [tag, *rng.sample(EXTRA_TOPICS, k=rng.randint(0, 2))],
                    voters,
                )
            )
        copy_instances(Story, [story for story, _tags, _voters in stories])
        for story, story_tags, voters in stories:
            topics.extend((story.pk, tags[name]) for name in dict.fromkeys(story_tags))
            published_at = story.published_at or now  # every one is published above
            age = (now - published_at).total_seconds()
            for n in range(story.comment_count):
                when = published_at + timedelta(seconds=age * (n + rng.random()) / 60)
                body = rng.choice(EXTRA_COMMENTS)
                comments.append((story.pk, rng.choice(members), body, min(when, now), ""))
            votes.extend((story.pk, member, story.published_at) for member in voters)
        copy_rows(TaggedStory, ["content_object", "tag"], topics)
        copy_rows(Comment, ["story", "author", "body", "created_at", "hidden_reason"], comments)
        copy_rows(HelpfulVote, ["story", "member", "created_at"], votes)
        batch = Story.objects.filter(pk__in=[story.pk for story, _tags, _voters in stories])
        batch.refresh_search_vector()
        # about half the challenges with replies have a reply marked as what worked
        solved = [
            story.pk
            for story, _tags, _voters in stories
            if story.is_challenge and story.comment_count and rng.random() < 0.5
        ]
        first_reply = Comment.objects.filter(story=OuterRef("pk")).order_by("pk").values("pk")
        Story.objects.filter(pk__in=solved).update(solved_answer=Subquery(first_reply[:1]))
        made += size
    return made
