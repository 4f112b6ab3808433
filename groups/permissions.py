"""Who may do what in a group. Organizer-only views use `organizer_required`, and only it."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404

from accounts.models import User
from groups.models import Group, Membership, Occurrence


def viewable_group(request, slug: str, *, queryset=None) -> Group:
    """The group at `slug` as the viewer may see it (404 otherwise), with `viewer_role`,
    `viewer_status`, `viewer_is_organizer` and `viewer_is_member`."""
    queryset = Group.objects.all() if queryset is None else queryset
    group = get_object_or_404(
        queryset.visible_to(request.user).with_viewer(request.user), slug=slug
    )
    group.viewer_is_organizer = (
        group.viewer_role == Membership.Role.ORGANIZER
        and group.viewer_status == Membership.Status.ACTIVE
    )
    group.viewer_is_member = group.viewer_status == Membership.Status.ACTIVE
    return group


def organizer_required(view):
    """Only an organizer of the group in the URL (`slug`) gets through: visitors are sent to
    log in, other members get 403, and a group they cannot see is 404. The view finds the
    group in `request.group`. Works on functions and, with `method_decorator`, on classes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        group = viewable_group(request, kwargs["slug"])
        if not group.viewer_is_organizer:
            raise PermissionDenied("Only the group's organizers can do that.")
        request.group = group
        return view(request, *args, **kwargs)

    wrapper.organizer_only = True  # lets the tests find every view it guards
    return wrapper


def organized_occurrence(request, pk: int) -> Occurrence:
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
