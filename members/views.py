from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import FormView, ListView, RedirectView, UpdateView
from taggit.models import Tag

from accounts.charts import colleague_counts, colleagues_map
from accounts.member_data import collect_export
from accounts.middleware import ONBOARDED_SESSION_KEY
from accounts.models import Profile, User
from accounts.querysets import MAX_LISTED, NearestFirst, ProfileQuerySet
from accounts.services import PROFILE_FIELDS, account_delete, profile_update
from kit.pagecache import kept_figures, kept_until_change
from kit.ratelimit import rate_limit_hit
from kit.scopes import DIRECTORY, MEMBERS
from kit.spelling import correction_for, searching_shows
from kit.view_helpers import safe_next
from kit.vocabularies import US_STATES
from members.forms import (
    AccountDeleteForm,
    ContactForm,
    DirectoryFilterForm,
    OnboardingForm,
    ProfileForm,
    SettingsForm,
)
from members.services import ContactRefused, contact_send, profile_settings_update
from notifications.kinds import NotificationKind
from notifications.models import Follow, ViewerFollows

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

TOPIC_SUGGESTIONS = 300
# the member directory's filters (sort and page are not): with none, every colleague is listed
FILTERS = ("q", "library_type", "country", "state", "open_to", "help", "within")
DELETE_ATTEMPTS_PER_15_MINUTES = 5


def viewer_profile(request) -> Profile | None:
    """The signed-in member's own profile (one query per request), or None."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, "_viewer_profile"):
        request._viewer_profile = Profile.objects.filter(user=request.user).first()
    return request._viewer_profile


def topic_suggestions() -> list[str]:
    """The first topics by name, for the profile form's and the filters' suggestions; kept by
    the process until the site moves on (a topic created, renamed or deleted moves it: no app
    maps taggit's tags to a narrower scope)."""
    return kept_figures(
        "topic-suggestions",
        lambda: list(
            Tag.objects.order_by("name").values_list("name", flat=True)[:TOPIC_SUGGESTIONS]
        ),
        shows=[],
    )


def own_profile_required(view):
    """The one permission check for a member's own pages: members only, and `<pk>` must be the
    signed-in member; anyone else gets 404 (whether or not that member exists)."""

    @wraps(view)
    @login_required
    def checked(request, *args, pk: int, **kwargs):
        if pk != request.user.pk:
            raise Http404("Not your profile")
        return view(request, *args, pk=pk, **kwargs)

    return checked


class OwnProfileMixin:
    """`own_profile_required` for a class view, and the member's profile."""

    request: HttpRequest  # the view's, which this is mixed into

    @method_decorator(own_profile_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def profile(self) -> Profile:
        return get_object_or_404(Profile.objects.select_related("user"), user=self.request.user)


# --- finding colleagues -------------------------------------------------------------------------
class DirectoryPaginator(Paginator):
    """Counts at most `MAX_LISTED` matches (a bounded scan, not every member) and pages through
    those; `more` says there were others ("More than 1,000 colleagues"). `total`, when given,
    is the count already known (the map's figures for the unfiltered list)."""

    def __init__(self, *args, total: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.total = total

    @cached_property
    def _counted(self) -> int:
        if self.total is not None:
            return self.total
        rows = self.object_list
        # the directory pages profiles, nearest first or in a queryset
        profiles = rows.profiles if isinstance(rows, NearestFirst) else cast(ProfileQuerySet, rows)
        return profiles.order_by().values("pk")[: MAX_LISTED + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, MAX_LISTED)

    @property
    def more(self) -> bool:
        return self._counted > MAX_LISTED


@method_decorator(kept_until_change(shows=searching_shows(MEMBERS)), name="dispatch")
class MemberListView(ListView):
    """The member directory: search, filters, nearest first. Visitors see public profiles."""

    template_name = "accounts/member_list.html"
    context_object_name = "profiles"
    paginate_by = 24
    paginator_class = DirectoryPaginator

    def get_queryset(self):
        origin = viewer_profile(self.request)
        has_region = bool(origin and origin.is_onboarded)
        has_coordinates = bool(origin and origin.latitude is not None)
        self.form = DirectoryFilterForm(self.request.GET or None, can_use_distance=has_coordinates)
        # the member's own card would only say "less than a mile away"
        profiles = Profile.objects.visible_to(self.request.user).listed()
        if self.request.user.is_authenticated:
            profiles = profiles.exclude(user=self.request.user)
        data = self.form.cleaned_data if self.form.is_valid() else {}
        self.filtered = any(data.get(name) for name in FILTERS)
        self.place_counts = colleague_counts(self.request)

        profiles = (
            profiles.of_library_types(data.get("library_type"))
            .in_region(country=data.get("country", ""), state=data.get("state", ""))
            .open_to(data.get("open_to") or [])
            .can_help_with(data.get("help", ""))
        )
        if has_coordinates and data.get("within"):
            profiles = profiles.within_miles(origin, float(data["within"]))

        text = (data.get("q") or "").strip()
        sort = data.get("sort") or ""
        if not sort:
            sort = "relevance" if text else ("near" if has_region else "name")
        self.sort = sort
        self.text = text
        self.correction = correction_for(text, self.request.user) if text else None
        # last: close spellings count only when full text finds none of the filtered profiles.
        # Ranked, only the first matches are (as many as a list counts): ranking reads those
        profiles = profiles.search(
            text, self.correction, pool=MAX_LISTED + 1 if sort == "relevance" else None
        )
        profiles = profiles.for_cards()
        if sort == "near" and has_region:
            return profiles.near(origin)  # the order, and distance and proximity for the cards
        if has_region:
            profiles = profiles.with_nearness(origin)  # for the cards
        if sort == "relevance":
            return profiles.by_relevance()
        if sort == "new":
            return profiles.order_by("-user__date_joined", "pk")
        return profiles.order_by("user__display_name", "pk")

    def get_paginator(self, queryset, per_page, **kwargs):
        # unfiltered, the list holds every colleague the map counted: no second count
        total = None if self.filtered else sum(self.place_counts.values())
        return super().get_paginator(queryset, per_page, total=total, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        shown = list(context["profiles"]) if self.correction else []
        corrected_found = bool(
            self.correction
            and self.correction.changed
            and any(not profile.search_exact for profile in shown)
        )
        chosen = self.form.cleaned_data.get("state", "") if self.form.is_valid() else ""
        us_only = self.form.is_valid() and self.form.cleaned_data.get("country") == "US"
        context.update(
            form=self.form,
            state_map=colleagues_map(self.place_counts, selected=chosen if us_only else ""),
            query_string=params.urlencode(),
            searching=any(value for key, value in self.request.GET.items() if key != "page"),
            filtered=any(
                self.request.GET.get(name)
                for name in ("library_type", "country", "state", "open_to", "within", "help")
            ),
            searched_text=self.text,
            corrected_text=self.correction.corrected_text if corrected_found else "",
            exact_found=any(profile.search_exact for profile in shown),
            more_filters_used=any(
                self.request.GET.get(name)
                for name in ("library_type", "country", "state", "open_to", "within", "sort")
            ),
            sort=self.sort,
            viewer_profile=viewer_profile(self.request),
            topic_suggestions=topic_suggestions(),
            us_states=US_STATES,
        )
        return context


def _member_profile(request, pk: int) -> Profile | None:
    """The member's profile as the viewer may see it (with how far away they are, and whether
    the viewer follows them), or None."""
    profiles = Profile.objects.visible_to(request.user).filter(user_id=pk)
    origin = viewer_profile(request)
    if origin is not None and origin.user_id != pk:
        profiles = profiles.with_distance_from(origin.latitude, origin.longitude).with_proximity_to(
            origin
        )
    profile = (
        profiles.select_related("user")
        # taggit's managers, which the plugin cannot follow as relations
        .prefetch_related("can_help_with", "want_to_learn")  # type: ignore[misc]
        .annotate(viewer_follows=Follow.objects.followed_by(request.user, User, outer="user_id"))
        .first()
    )
    if profile is not None:
        # for the follow button, which reads it on the member
        annotated = cast("WithAnnotations[Profile, ViewerFollows]", profile)
        member = cast("WithAnnotations[User, ViewerFollows]", profile.user)
        member.viewer_follows = annotated.viewer_follows
    return profile


@require_safe
@kept_until_change(shows=[MEMBERS, DIRECTORY])
def member_detail(request, pk: int):
    profile = _member_profile(request, pk)
    if profile is None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No such member")
    user = request.user
    is_owner = user.is_authenticated and profile.user_id == user.pk
    context = {
        "profile": profile,
        "member": profile.user,
        "is_owner": is_owner,
        "can_contact": (
            user.is_authenticated
            and not is_owner
            and profile.wants_email(NotificationKind.CONTACT_MESSAGE)
        ),
    }
    if is_owner:
        context["missing"] = profile.missing_for_completeness()
        context["colleagues"] = list(Profile.objects.visible_to(user).colleagues_near(profile)[:6])
    return render(request, "accounts/member_detail.html", context)


class ContactView(LoginRequiredMixin, FormView):
    """Write to a member by email through the site; neither address is shown."""

    template_name = "accounts/contact_form.html"
    form_class = ContactForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.recipient_profile = (
                Profile.objects.visible_to(request.user)
                .exclude(user=request.user)
                .select_related("user")
                .filter(user_id=kwargs["pk"])
                .first()
            )
            if self.recipient_profile is None:
                raise Http404("No such member")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile"] = self.recipient_profile
        context["member"] = self.recipient_profile.user
        context["accepts"] = self.recipient_profile.wants_email(NotificationKind.CONTACT_MESSAGE)
        return context

    def form_valid(self, form):
        recipient = self.recipient_profile.user
        try:
            contact_send(
                sender=self.request.user,
                recipient=recipient,
                message=form.cleaned_data["message"],
                share_email=form.cleaned_data["share_email"],
            )
        except ContactRefused as refusal:
            form.add_error(None, str(refusal))
            return self.form_invalid(form)
        messages.success(self.request, f"Your message to {recipient} is on its way.")
        return redirect(recipient.get_absolute_url())


# --- the member's own pages ---------------------------------------------------------------------
class OnboardingView(LoginRequiredMixin, FormView):
    """First thing after the first sign-in: library type and region."""

    template_name = "accounts/onboarding.html"
    form_class = OnboardingForm

    @cached_property
    def profile(self) -> Profile:
        member = cast(User, self.request.user)  # a member: the view requires signing in
        return Profile.objects.filter(user=member).first() or Profile(user=member)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.profile, "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(us_states=US_STATES, next=safe_next(self.request, ""))
        return context

    def form_valid(self, form):
        profile, _ = Profile.objects.get_or_create(user=self.request.user)
        data = form.cleaned_data
        profile_update(
            profile=profile,
            display_name=data["display_name"],
            **{name: data[name] for name in OnboardingForm.Meta.fields},
        )
        self.request.session[ONBOARDED_SESSION_KEY] = self.request.user.pk
        messages.success(
            self.request,
            "Welcome to Librarian Commons! Add what you can help with and what you want to "
            "learn, so colleagues can find you.",
        )
        return HttpResponseRedirect(safe_next(self.request, self.request.user.get_absolute_url()))


class MeView(LoginRequiredMixin, RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        return self.request.user.get_absolute_url()


class ProfileUpdateView(OwnProfileMixin, UpdateView):
    template_name = "accounts/profile_form.html"
    form_class = ProfileForm

    def get_object(self, queryset=None):
        return self.profile

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(topic_suggestions=topic_suggestions(), us_states=US_STATES)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        profile_update(
            profile=self.profile,
            display_name=data["display_name"],
            can_help_with=data["can_help_with"],
            want_to_learn=data["want_to_learn"],
            **{name: data[name] for name in PROFILE_FIELDS if name in data},
        )
        messages.success(self.request, "Your profile is saved.")
        return redirect(self.request.user.get_absolute_url())


class SettingsView(OwnProfileMixin, FormView):
    template_name = "accounts/settings.html"
    form_class = SettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "profile": self.profile}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "profile": self.profile}

    def form_valid(self, form):
        profile_settings_update(
            profile=self.profile,
            email_preferences=form.email_preferences,
            visibility=form.cleaned_data["visibility"],
            accepts_help_requests=form.cleaned_data["accepts_help_requests"],
        )
        messages.success(self.request, "Your settings are saved.")
        return redirect("accounts:settings", pk=self.request.user.pk)


@never_cache
@own_profile_required
@require_safe
def export(request, pk: int):
    """Download my data: everything every app holds about the member, as JSON."""
    response = JsonResponse(
        collect_export(request.user), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = 'attachment; filename="librarian-commons-my-data.json"'
    return response


@own_profile_required
@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    """Delete my account, after my password; a few tries a quarter of an hour."""
    posted = request.method == "POST"
    form = AccountDeleteForm(request.POST if posted else None, user=request.user)
    if posted and rate_limit_hit(
        scope="account_delete",
        key=request.user.pk,
        limit=DELETE_ATTEMPTS_PER_15_MINUTES,
        period=15 * 60,
    ):
        form.is_valid()
        form.add_error(None, "Too many attempts. Please wait a quarter of an hour.")
    elif posted and form.is_valid():
        account_delete(user=request.user, keep_stories=form.keep_stories)
        logout(request)
        messages.success(
            request, "Your account and your personal data are deleted. Thank you for sharing."
        )
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})
