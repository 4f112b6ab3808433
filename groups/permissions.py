"""Who may do what in a group. Organizer-only views use `organizer_required`, and only it."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from accounts.models import User
from groups.models import Group, Membership, Occurrence
from groups.querysets import GroupQuerySet

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class ViewerAnnotations(TypedDict):
    """What `GroupQuerySet.with_viewer` annotates."""

    viewer_role: str | None
    viewer_status: str | None


class OrganizerRequest(HttpRequest):
    """A request `organizer_required` let through: `group` is the group it organizes."""

    group: Group


def viewable_group(
    request: HttpRequest, slug: str, *, queryset: GroupQuerySet | None = None
) -> Group:
    """The group at `slug` as the viewer may see it (404 otherwise), with `viewer_role`,
    `viewer_status`, `viewer_is_organizer` and `viewer_is_member`."""
    queryset = Group.objects.all() if queryset is None else queryset
    group = get_object_or_404(
        queryset.visible_to(request.user).with_viewer(request.user), slug=slug
    )
    viewer = cast("WithAnnotations[Group, ViewerAnnotations]", group)  # see with_viewer()
    group.viewer_is_organizer = (
        viewer.viewer_role == Membership.Role.ORGANIZER
        and viewer.viewer_status == Membership.Status.ACTIVE
    )
    group.viewer_is_member = viewer.viewer_status == Membership.Status.ACTIVE
    return group


def organizer_required(view: View) -> View:
    """Only an organizer of the group in the URL (`slug`) gets through: visitors are sent to
    log in, other members get 403, and a group they cannot see is 404. The view finds the
    group in `request.group`. Works on functions and, with `method_decorator`, on classes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        group = viewable_group(request, kwargs["slug"])
        if not group.viewer_is_organizer:
            raise PermissionDenied("Only the group's organizers can do that.")
        organizer_request = cast(OrganizerRequest, request)  # it becomes one here
        organizer_request.group = group
        return view(organizer_request, *args, **kwargs)

    # lets the tests find every view it guards. A function's own attributes have no type.
    wrapper.organizer_only = True  # type: ignore[attr-defined]
    return cast(View, wrapper)  # the view's own signature: the wrapper takes what it takes


def organized_occurrence(request: OrganizerRequest, pk: int) -> Occurrence:
    """A date of the organizer's group (`request.group`, set by `organizer_required`), with its
    meetup and group; 404 for a date of another group."""
    return get_object_or_404(
        Occurrence.objects.select_related("meetup__group"), pk=pk, meetup__group=request.group
    )


# --- checks the services make ---------------------------------------------------------


def membership_of(group: Group, member: User | None) -> Membership | None:
    if member is None or not member.is_authenticated:
        return None
    return Membership.objects.filter(group=group, member=member).first()


def is_organizer(group: Group, member: User | None) -> bool:
    if member is None or not member.is_authenticated:
        return False
    return Membership.objects.organizers().filter(group=group, member=member).exists()


def require_organizer(group: Group, by: User) -> None:
    if not is_organizer(group, by):
        raise PermissionDenied("Only the group's organizers can do that.")


def require_active_member(group: Group, member: User) -> None:
    if not Membership.objects.active().filter(group=group, member=member).exists():
        raise ValidationError("Join the group to RSVP to its meetups.", code="not_member")
