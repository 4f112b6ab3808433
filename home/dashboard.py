"""What the front page shows: a few public things for visitors, and for a signed-in member a
dashboard built in a fixed handful of queries (each section is one query, or one plus one
prefetch, whatever the size of the community)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from taggit.models import Tag

from accounts.models import Profile
from cooperatives.models import Organisation
from groups.models import RSVP, Group, Membership, Occurrence
from notifications.models import Follow, Notification
from stories.models import Story, TaggedStory

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django_stubs_ext import WithAnnotations

    from groups.querysets import ViewerRsvp


class ProfileFollows(TypedDict):
    """What `dashboard()` annotates on the member's profile: what they follow and wrote."""

    has_story: bool
    unread_notification_count: int
    followed_member_ids: list[int]
    followed_tag_ids: list[int]
    followed_group_ids: list[int]
    learn_tag_ids: list[int]
    help_tag_ids: list[int]


NEW_STORY_DAYS = 60
SECTION_SIZE = 5
STORY_POOL = 40
# up to this many "can help with" topics, open challenges are checked against a hash of their
# taggings; with more, by a semi-join that stops at the STORY_POOLth match (see _story_pool)
HASHED_HELP_TOPICS = 3


def _tagged_with(tag_ids) -> Q:
    # a correlated EXISTS, checked on the few newest stories the index scan reads; an IN
    # would collect every tagging of every followed topic first (200,000 rows, twice)
    return Q(
        Exists(TaggedStory.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=tag_ids))
    )


def stories_matching_q(profile: Profile) -> Q:
    """Stories in a member's areas: their library type, their region, or a topic they want
    to learn (subqueries: building it costs no query)."""
    learn = Profile.want_to_learn.through.objects.filter(content_object_id=profile.pk)
    matches = _tagged_with(learn.values("tag_id"))
    if profile.library_type:
        matches |= Q(library_types__contains=[profile.library_type])
    if profile.state:
        matches |= Q(country=profile.country, state__iexact=profile.state)
    return matches


def challenges_i_could_help_q(profile: Profile) -> Q:
    """Open challenges about a topic the member can help with."""
    can_help = Profile.can_help_with.through.objects.filter(content_object_id=profile.pk)
    return Q(kind="challenge", solved_answer__isnull=True) & _tagged_with(can_help.values("tag_id"))


def landing(viewer) -> dict:
    """For visitors: recent public stories, upcoming public meetups and directory entries."""
    return {
        "stories": list(
            Story.objects.visible_to(viewer).published().sorted_by("newest").for_cards()[:4]
        ),
        "occurrences": list(
            Occurrence.objects.visible_to(viewer).scheduled().upcoming().for_listing(viewer)[:4]
        ),
        "directory_count": Organisation.objects.with_status("active").count(),
    }


def _story_pool(
    user,
    profile: WithAnnotations[Profile, ProfileFollows],
    *,
    followed_members: list,
    followed_tags: list,
):
    """The newest STORY_POOL stories the dashboard's story sections choose from: recent ones
    for me or from what I follow, and open challenges I could help with, each flagged.

    One query. The OR of those conditions made PostgreSQL hash every tagging of every topic
    in them (200,000 rows for a member following half the topics, twice: filter and flags).
    Here each condition is its own branch — the newest STORY_POOL stories meeting it, most
    of them a walk down the newest stories that stops at the STORY_POOLth match; the
    newest STORY_POOL of the union of the branches are the newest STORY_POOL meeting any
    condition, so the sections show exactly what one OR would (`stories_matching_q` and
    `challenges_i_could_help_q` say the same in SQL, for the digest)."""
    learn_tags, help_tags = profile.learn_tag_ids, profile.help_tag_ids
    since = timezone.now() - timedelta(days=NEW_STORY_DAYS)
    recent = Q(published_at__gte=since)
    mine_by_kind = Q()
    if profile.library_type:
        mine_by_kind |= Q(library_types__contains=[profile.library_type])
    if profile.state:
        mine_by_kind |= Q(country=profile.country, state__iexact=profile.state)
    open_challenge = Q(kind="challenge", solved_answer__isnull=True)

    shown = Story.objects.visible_to(user).published().exclude(author=user)
    branches = []
    if mine_by_kind:
        branches.append(shown.filter(recent & mine_by_kind))
    if followed_members:
        branches.append(shown.filter(recent, author__in=followed_members))
    # a semi-join: walking the newest recent stories, it stops at the STORY_POOLth match
    branches.extend(
        shown.filter(recent, pk__in=_tagged_story_ids(tag_ids))
        for tag_ids in (learn_tags, followed_tags)
        if tag_ids
    )
    if len(help_tags) > HASHED_HELP_TOPICS:
        # many topics: some open challenge soon has one, the semi-join stops early
        branches.append(shown.filter(open_challenge, pk__in=_tagged_story_ids(help_tags)))
    elif help_tags:
        # A few topics are often ones no open challenge has, and a walk of the open
        # challenges, newest first, looking for them read all 15,000 of them at benchmark
        # scale. The open challenges' own topics (`Story.open_challenge_tag_ids`, a partial
        # GIN index, with statistics of their own) give the matches from its posting lists.
        branches.append(
            shown.filter(open_challenge, open_challenge_tag_ids__overlap=list(help_tags))
        )
    if not branches:
        return []
    pools = [branch.sorted_by("newest").values_list("pk")[:STORY_POOL] for branch in branches]
    pool = pools[0].union(*pools[1:]) if len(pools) > 1 else pools[0]

    stories = list(Story.objects.filter(pk__in=pool).sorted_by("newest").for_cards()[:STORY_POOL])
    # the flags, from what the cards load anyway (their topics come with them): in SQL, each
    # topic flag was one more subplan hashing every tagging of those topics
    learn, follow, help_ = set(learn_tags), set(followed_tags), set(help_tags)
    following = set(followed_members)
    state = (profile.state or "").upper()
    for story in stories:
        tags = {tag.pk for tag in story.card_tags}
        is_recent = story.published_at is not None and story.published_at >= since
        by_kind = (
            profile.library_type and profile.library_type in (story.library_types or ())
        ) or (state and story.country == profile.country and (story.state or "").upper() == state)
        story.is_for_me = is_recent and bool(by_kind or tags & learn)
        story.is_followed = is_recent and bool(story.author_id in following or tags & follow)
        story.is_helpable = story.is_open_challenge and bool(tags & help_)
    return stories


def _tagged_story_ids(tag_ids):
    return TaggedStory.objects.filter(tag_id__in=tag_ids).values("content_object_id")


@dataclass
class Dashboard:
    profile: Profile
    has_story: bool
    my_meetups: list = field(default_factory=list)
    followed_meetups: list = field(default_factory=list)
    for_me: list = field(default_factory=list)
    could_help: list = field(default_factory=list)
    followed_stories: list = field(default_factory=list)
    colleagues: list = field(default_factory=list)
    groups: list = field(default_factory=list)

    @property
    def follows_anything(self) -> bool:
        return bool(self.followed_meetups or self.followed_stories)


def dashboard(user) -> Dashboard:
    User = get_user_model()
    follows = Follow.objects.of(user).visible_to(user)  # not who has hidden since
    # what I follow comes back as id lists with my profile (no query of its own): literal ids
    # let PostgreSQL size the story query right (a subquery was guessed at one row, however
    # many topics a member follows)
    annotated = (
        Profile.objects.filter(user=user)
        .annotate(
            has_story=Exists(Story.objects.filter(author=user)),
            unread_notification_count=Notification.objects.unread_count_of(user),
            followed_member_ids=ArraySubquery(follows.ids_of(User)),
            followed_tag_ids=ArraySubquery(follows.ids_of(Tag)),
            followed_group_ids=ArraySubquery(follows.ids_of(Group)),
            learn_tag_ids=ArraySubquery(
                Profile.want_to_learn.through.objects.filter(
                    content_object_id=OuterRef("pk")
                ).values("tag_id")
            ),
            help_tag_ids=ArraySubquery(
                Profile.can_help_with.through.objects.filter(
                    content_object_id=OuterRef("pk")
                ).values("tag_id")
            ),
        )
        .select_related("user")
        .get()
    )
    profile = cast("WithAnnotations[Profile, ProfileFollows]", annotated)
    board = Dashboard(profile=profile, has_story=profile.has_story)
    followed_members = profile.followed_member_ids
    followed_tags = profile.followed_tag_ids
    followed_groups = profile.followed_group_ids

    # --- meetups: the ones I answered, and those of groups I follow — one query ------------
    answered = RSVP.objects.filter(
        member=user, status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED]
    ).values_list("occurrence_id")
    of_followed_groups = Occurrence.objects.filter(meetup__group__in=followed_groups).values_list(
        "pk"
    )
    occurrences = (
        Occurrence.objects.visible_to(user)
        .scheduled()
        .upcoming()
        # one IN (… UNION …): an OR of the two made PostgreSQL test every upcoming date
        # against every series (5 s at 2,000 groups)
        .filter(pk__in=answered.union(of_followed_groups))
        .for_listing(user)[: SECTION_SIZE * 4]
    )
    for occurrence in cast("Iterable[WithAnnotations[Occurrence, ViewerRsvp]]", occurrences):
        if occurrence.viewer_rsvp in (RSVP.Status.GOING, RSVP.Status.WAITLISTED):
            if len(board.my_meetups) < SECTION_SIZE:
                board.my_meetups.append(occurrence)
        elif len(board.followed_meetups) < SECTION_SIZE:
            board.followed_meetups.append(occurrence)

    # --- stories: for me, challenges I could help with, from what I follow — one query -----
    pool = _story_pool(
        user, profile, followed_members=followed_members, followed_tags=followed_tags
    )
    for story in pool:
        for flag, section in (
            (story.is_followed, board.followed_stories),
            (story.is_helpable, board.could_help),
            (story.is_for_me, board.for_me),
        ):
            if flag and len(section) < SECTION_SIZE:
                section.append(story)

    # --- colleagues near me of other library types, and my groups -------------------------
    if profile.is_onboarded:
        board.colleagues = list(Profile.objects.visible_to(user).colleagues_near(profile)[:4])
    board.groups = list(
        Group.objects.filter(
            memberships__member=user,
            memberships__status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING],
        )
        .with_viewer(user)
        .with_next_start()
        .defer("description")
        .order_by("name")[:8]
    )
    return board
