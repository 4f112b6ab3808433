from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django.views.generic.edit import FormView

from cooperatives.charts import directory_map
from cooperatives.forms import AffiliationForm, DirectoryFilterForm, SuggestionForm
from cooperatives.models import Affiliation, Organisation, Suggestion
from cooperatives.services import (
    affiliation_remove,
    affiliation_set,
    suggestion_submit,
)
from kit.pagecache import kept_until_change
from kit.ratelimit import rate_limit_hit
from kit.scopes import DIRECTORY, GROUPS, MEMBERS
from kit.spelling import correction_for, searching_shows
from notifications.models import Follow

SUGGESTIONS_PER_HOUR = 10


@method_decorator(
    kept_until_change(shows=searching_shows(DIRECTORY), timeless=True), name="dispatch"
)
class OrganisationListView(ListView):
    template_name = "cooperatives/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form = DirectoryFilterForm(self.request.GET or None)
        self.filter_form.is_valid()
        text = self.filter_form.text
        self.correction = correction_for(text, self.request.user) if text else None
        return self.filter_form.filter(Organisation.objects.for_list(), self.correction)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filter_form"] = self.filter_form
        context["query_string"] = query.urlencode()
        shown = list(context["organisations"]) if self.correction else []
        if self.correction and self.correction.changed and any(not e.exact for e in shown):
            context["corrected_text"] = self.correction.corrected_text
        context["exact_found"] = any(entry.exact for entry in shown)
        chosen = getattr(self.filter_form, "cleaned_data", {}).get("state", "")
        context["state_map"] = directory_map(self.request, selected=chosen)
        return context


# the entry, the members listed there, its groups
@method_decorator(kept_until_change(shows=[DIRECTORY, MEMBERS, GROUPS]), name="dispatch")
class OrganisationDetailView(DetailView):
    template_name = "cooperatives/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        user = self.request.user
        return (
            Organisation.objects.visible_to(user)
            .for_detail(user)
            .annotate(viewer_follows=Follow.objects.followed_by(user, Organisation))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        user = self.request.user
        mine = None
        if user.is_authenticated:
            # visible_to(viewer) always includes the viewer's own affiliation
            mine = next(
                (a for a in organisation.visible_affiliations if a.member_id == user.pk), None
            )
        context["my_affiliation"] = mine
        context["others"] = [a for a in organisation.visible_affiliations if a is not mine]
        context["affiliation_form"] = AffiliationForm(
            initial={"role": mine.role if mine else Affiliation.Role.MEMBER}
        )
        return context


@login_required
@require_POST
def affiliation_update(request, slug):
    """Add, change or remove the signed-in member's own affiliation with an entry."""
    organisation = get_object_or_404(Organisation, slug=slug)
    back = organisation.get_absolute_url() + "#affiliation"
    if "remove" in request.POST:
        if affiliation_remove(member=request.user, organisation=organisation):
            messages.success(request, f"You are no longer listed at {organisation}.")
        return redirect(back)
    form = AffiliationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose member, officer or chair.")
        return redirect(back)
    affiliation = affiliation_set(
        member=request.user, organisation=organisation, role=form.cleaned_data["role"]
    )
    messages.success(
        request,
        f"Saved: you are listed as {affiliation.get_role_display().lower()} of {organisation}.",
    )
    return redirect(back)


class SuggestionCreateView(LoginRequiredMixin, FormView):
    """Suggest a new entry (/directory/suggest/) or a correction (/directory/<slug>/suggest/)."""

    form_class = SuggestionForm
    template_name = "cooperatives/suggestion_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.organisation = None
        if "slug" in kwargs:
            self.organisation = get_object_or_404(Organisation, slug=kwargs["slug"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.organisation is not None:
            # a copy: validating the proposal must not alter the entry shown on the page
            kwargs["instance"] = Organisation.objects.get(pk=self.organisation.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(organisation=self.organisation, **kwargs)

    def form_valid(self, form):
        if rate_limit_hit(
            scope="directory-suggestion",
            key=self.request.user.pk,
            limit=SUGGESTIONS_PER_HOUR,
            period=3600,
        ):
            form.add_error(
                None,
                "You have sent many suggestions in the last hour. Please wait a little; "
                "your text is still here.",
            )
            return self.form_invalid(form)
        try:
            suggestion_submit(
                by=self.request.user,
                organisation=self.organisation,
                proposed=form.proposed(),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            "Thank you. A curator will review your suggestion; we will email you the answer.",
        )
        return redirect("cooperatives:suggestions")


class MySuggestionsView(LoginRequiredMixin, ListView):
    template_name = "cooperatives/suggestion_list.html"
    context_object_name = "suggestions"
    paginate_by = 20

    def get_queryset(self):
        return Suggestion.objects.submitted_by(self.request.user).select_related("organisation")
