"""Groups: the Meetups landing, a group's page, joining and the organizers' roster."""

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import FormView, UpdateView

from groups import services
from groups.forms import GroupForm, JoinForm
from groups.models import CalendarToken, Group, Membership, Occurrence
from groups.permissions import organizer_required, viewable_group
from kit.pagecache import kept_until_change
from kit.ratelimit import rate_limit_hit
from kit.scopes import DIRECTORY, GROUPS, MEMBERS
from kit.view_helpers import error_text
from notifications.models import Follow

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from groups.querysets import UpcomingCount

GROUPS_PER_PAGE = 12
OCCURRENCES_PER_PAGE = 10
MEMBERS_ON_GROUP_PAGE = 12
MEMBERS_PER_PAGE = 30


class CountedPaginator(Paginator):
    """Pages through a list whose length was counted alongside another query (one query
    fewer than asking for it)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


@require_safe
@kept_until_change(shows=[GROUPS])
def index(request):
    """Groups the viewer can see, soonest meetup first, and the next meetups across them."""
    user = request.user
    groups = (
        Group.objects.visible_to(user)
        .with_member_count()
        .with_next_start()
        .order_by(F("next_start").asc(nulls_last=True), "name", "pk")
        .defer("description")
    )
    page_obj = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    upcoming = list(
        Occurrence.objects.visible_to(user).scheduled().upcoming().for_listing(user)[:10]
    )
    mine = []
    if user.is_authenticated:
        mine = list(
            Membership.objects.filter(member=user)
            .select_related("group")
            .only("role", "status", "group__name", "group__slug")
            .order_by("group__name")
        )
    return render(
        request,
        "groups/index.html",
        {"page_obj": page_obj, "groups": page_obj.object_list, "upcoming": upcoming, "mine": mine},
    )


class GroupCreateView(LoginRequiredMixin, FormView):
    template_name = "groups/group_form.html"
    form_class = GroupForm

    def form_valid(self, form):
        group = services.group_create(by=self.request.user, **form.cleaned_data)
        messages.success(
            self.request, f"“{group}” is ready. Add its first meetup when you know the date."
        )
        return redirect(group)


@method_decorator(organizer_required, name="dispatch")
class GroupUpdateView(UpdateView):
    template_name = "groups/group_form.html"
    form_class = GroupForm

    def get_object(self, queryset=None):
        return self.request.group

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.group_update(
            group=Group.objects.get(pk=self.object.pk), by=self.request.user, **fields
        )
        messages.success(self.request, "Group details saved.")
        return redirect(self.object)


@require_safe
@kept_until_change(shows=[GROUPS, MEMBERS, DIRECTORY])
def group_detail(request, slug):
    """Upcoming meetups first, then about, members and recent past meetups."""
    return _group_page(request, slug, join_form=JoinForm())


def _group_page(request, slug: str, *, join_form: JoinForm):
    user = request.user
    now = timezone.now()
    group = viewable_group(
        request,
        slug,
        queryset=Group.objects.with_member_count()
        .with_pending_count()
        .with_upcoming_count(now)
        .annotate(viewer_follows=Follow.objects.followed_by(user, Group)),
    )
    dates = Occurrence.objects.filter(meetup__group=group)
    page_obj = CountedPaginator(
        dates.upcoming(now).for_listing(user),
        OCCURRENCES_PER_PAGE,
        count=cast("WithAnnotations[Group, UpcomingCount]", group).upcoming_count,
    ).get_page(request.GET.get("page"))
    series = list(group.meetups.continuing().exclude(rrule="").order_by("title", "pk"))
    members = []
    if user.is_authenticated:
        members = list(
            group.memberships.active()
            .by_standing()
            .select_related("member")[:MEMBERS_ON_GROUP_PAGE]
        )
    past = list(dates.scheduled().past().select_related("meetup__group")[:5])
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "page_obj": page_obj,
            "upcoming": page_obj.object_list,
            "series": series,
            "members": members,
            "past": past,
            "organisations": list(group.organisations.only("name", "slug").order_by("name")),
            "join_form": join_form,
            "feed_url": _feed_url(request, group),
        },
    )


def _feed_url(request, group: Group) -> str:
    """Where to subscribe to the group's calendar. Calendar programs cannot sign in, so a
    members-only group's address carries the member's private calendar key ("" if they have
    none yet)."""
    url = request.build_absolute_uri(reverse("groups:feed", kwargs={"slug": group.slug}))
    if group.is_public:
        return url
    token = CalendarToken.objects.filter(member=request.user).first()
    return f"{url}?key={token.token}" if token else ""


@login_required
@require_safe
def group_members(request, slug):
    group = viewable_group(request, slug)
    memberships = group.memberships.active().by_standing().select_related("member")
    page_obj = Paginator(memberships, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    pending = []
    if group.viewer_is_organizer:
        pending = list(
            group.memberships.pending().select_related("member").order_by("requested_at")
        )
    return render(
        request,
        "groups/group_members.html",
        {
            "group": group,
            "page_obj": page_obj,
            "memberships": page_obj.object_list,
            "pending": pending,
        },
    )


@require_safe
@kept_until_change(shows=[GROUPS])
def group_past(request, slug):
    group = viewable_group(request, slug)
    past = (
        Occurrence.objects.filter(meetup__group=group).scheduled().past().for_listing(request.user)
    )
    page_obj = Paginator(past, OCCURRENCES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/group_past.html",
        {"group": group, "page_obj": page_obj, "occurrences": page_obj.object_list},
    )


JOIN_REQUESTS_PER_HOUR = 10


@login_required
@require_POST
def group_join(request, slug):
    group = viewable_group(request, slug)
    # each request to join emails the organizers: keep join/withdraw loops from spamming them
    if group.join_policy == Group.JoinPolicy.APPROVAL and rate_limit_hit(
        scope="group_join_request", key=request.user.pk, limit=JOIN_REQUESTS_PER_HOUR, period=3600
    ):
        messages.error(request, "You have asked to join many groups in the last hour. Try later.")
        return redirect(group)
    form = JoinForm(request.POST)
    if not form.is_valid():
        # the group's page again, the message beside what is wrong with it: never dropped
        return _group_page(request, slug, join_form=form)
    membership = services.membership_join(
        group=group, member=request.user, message=form.cleaned_data["message"]
    )
    if membership.is_active:
        messages.success(request, f"You joined {group}. RSVP to a meetup below.")
    else:
        messages.success(
            request,
            f"You asked to join {group}. The organizers will answer by email.",
        )
    return redirect(group)


@login_required
@require_POST
def group_leave(request, slug):
    group = viewable_group(request, slug)
    try:
        services.membership_leave(group=group, member=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"You left {group}.")
    return redirect(group)


def _roster_action(action, done: str):
    """An organizer's POST about one membership of their group."""

    @organizer_required
    @require_POST
    def view(request, slug, pk):
        membership = get_object_or_404(
            Membership.objects.select_related("member", "group"), pk=pk, group=request.group
        )
        try:
            action(membership=membership, by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, done.format(member=membership.member))
        return redirect("groups:members", slug=slug)

    view.__name__ = action.__name__
    return view


membership_approve = _roster_action(services.membership_approve, "{member} is now a member.")
membership_decline = _roster_action(services.membership_decline, "You declined {member}’s request.")
membership_promote = _roster_action(services.membership_promote, "{member} is now an organizer.")
membership_demote = _roster_action(services.membership_demote, "{member} is now a member.")
membership_remove = _roster_action(
    services.membership_remove, "{member} was removed from the group."
)
