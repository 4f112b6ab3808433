"""The curators' daily tool: the directory in Django admin.

Everything a curator does here lands in the admin history: form saves (Django), imports
(django-import-export), the bulk actions and suggestion answers (cooperatives.services).
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, Q, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from cooperatives.models import (
    REJECTION_REASON_MAX_LENGTH,
    SUGGESTIBLE_FIELDS,
    Activity,
    Affiliation,
    Contact,
    Organisation,
    Suggestion,
)
from cooperatives.querysets import AREAS
from cooperatives.resources import OrganisationResource
from cooperatives.services import (
    descendant_ids,
    organisations_mark_inactive,
    organisations_mark_verified,
    suggestion_approve,
    suggestion_preview,
    suggestion_reject,
)
from kit.textlimits import LimitedTextField
from kit.vocabularies import US_STATES, LibraryType

STALE_AFTER = datetime.timedelta(days=365)


# --- list filters -------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return AREAS + US_STATES

    def queryset(self, request, queryset):
        return queryset.in_area(self.value()) if self.value() else queryset


class LibraryTypeFilter(admin.SimpleListFilter):
    title = "library type served"
    parameter_name = "library_type"

    def lookups(self, request, model_admin):
        return LibraryType.choices

    def queryset(self, request, queryset):
        return queryset.serving(self.value()) if self.value() else queryset


class ActivityFilter(admin.SimpleListFilter):
    title = "what it does"
    parameter_name = "activity"

    def lookups(self, request, model_admin):
        return Activity.choices

    def queryset(self, request, queryset):
        return queryset.doing(self.value()) if self.value() else queryset


class VerifiedFilter(admin.SimpleListFilter):
    title = "last verified"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            ("stale", "Not verified in 12 months"),
            ("never", "Never verified"),
            ("recent", "Verified in the last 12 months"),
        ]

    def queryset(self, request, queryset):
        year_ago = timezone.localdate() - STALE_AFTER
        if self.value() == "stale":
            return queryset.not_verified_since(year_ago)
        if self.value() == "never":
            return queryset.filter(last_verified_on__isnull=True)
        if self.value() == "recent":
            return queryset.filter(last_verified_on__gte=year_ago)
        return queryset


# --- organisations ------------------------------------------------------------------------


class RejectionForm(forms.Form):
    """The curator's reason for rejecting a suggestion, drawn by the site's field partial (its
    limit stated as every long text's is); suggestion_reject checks what is sent."""

    reason = LimitedTextField(
        label="Reason for rejecting (sent to the member)",
        max_length=REJECTION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(required=False, max_length=300, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = (
            "name",
            "acronym",
            "slug",
            "kind",
            "status",
            "merged_into",
            "parents",
            "description",
            "country",
            "states",
            "counties_regions",
            "all_library_types",
            "library_types",
            "activities",
            "how_to_join",
            "membership_notes",
            "website",
            "contact_email",
            "phone",
            "address",
            "founded_year",
            "needs_verification",
            "curator_notes",
            "source_urls",
        )
        widgets = {"states": FilteredSelectMultiple("states", is_stacked=False)}

    def clean_parents(self):
        parents = self.cleaned_data.get("parents")
        if parents and self.instance.pk:
            below = descendant_ids(self.instance) | {self.instance.pk}
            loops = [parent.name for parent in parents if parent.pk in below]
            if loops:
                raise ValidationError(
                    f"{', '.join(loops)} cannot be a parent: it is this entry or one of its parts."
                )
        return parents


class CommitteeInline(admin.TabularInline):
    """Child entries (committees, sections…) linked under this one."""

    model = Organisation.parents.through
    fk_name = "to_organisation"
    extra = 0
    autocomplete_fields = ["from_organisation"]
    verbose_name = "committee or other part"
    verbose_name_plural = "Committees and other parts (entries with this one as parent)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "from_organisation":
            field.label = "Committee or part"
        return field

    # A link between two entries is part of the entry: Django looks for permissions on the
    # hidden through model (there are none for a link to the same model), so ask the entry's.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("cooperatives.view_organisation")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("cooperatives.change_organisation")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("cooperatives.change_organisation")

    def has_delete_permission(self, request, obj=None):
        # removes the link only, never an entry
        return request.user.has_perm("cooperatives.change_organisation")


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "role", "email", "phone", "show_publicly")


@admin.register(Organisation)
class OrganisationAdmin(ImportExportModelAdmin):
    form = OrganisationAdminForm
    resource_classes = [OrganisationResource]
    # CSV opens in every spreadsheet and is the starting file's format
    import_formats = [base_formats.CSV]
    export_formats = [base_formats.CSV]
    import_error_display = ("message", "row")
    change_form_template = "cooperatives/admin/organisation_change_form.html"

    list_display = (
        "name",
        "acronym",
        "kind",
        "area",
        "status",
        "needs_verification",
        "last_verified_on",
    )
    list_filter = (
        "kind",
        StateFilter,
        LibraryTypeFilter,
        ActivityFilter,
        "status",
        "needs_verification",
        VerifiedFilter,
    )
    search_fields = ("name", "acronym", "description")
    search_help_text = "Name, acronym or description; misspellings are forgiven."
    autocomplete_fields = ("parents", "merged_into")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CommitteeInline, ContactInline]
    actions = ["mark_verified_today", "mark_inactive"]
    list_per_page = 50
    readonly_fields = (
        "last_verified_on",
        "last_verified_by",
        "created_at",
        "updated_at",
        "loaded_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("name", "acronym"),
                    "slug",
                    ("kind", "status"),
                    "merged_into",
                    "parents",
                    "description",
                )
            },
        ),
        ("Area served", {"fields": ("country", "states", "counties_regions")}),
        (
            "Who it serves and what it does",
            {
                "fields": (
                    "all_library_types",
                    "library_types",
                    "activities",
                    "how_to_join",
                    "membership_notes",
                )
            },
        ),
        (
            "Contact",
            {"fields": ("website", "contact_email", "phone", "address", "founded_year")},
        ),
        (
            "Curation",
            {
                "fields": (
                    "needs_verification",
                    "curator_notes",
                    "source_urls",
                    ("last_verified_on", "last_verified_by"),
                    ("created_at", "updated_at", "loaded_at"),
                )
            },
        ),
    )

    @admin.display(description="area served")
    def area(self, organisation):
        return organisation.area_label

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_vector")

    def get_search_results(self, request, queryset, search_term):
        """Django's “contains” search, plus the directory's own full-text and trigram search
        (“Panhandel”, “UPROC”); autocomplete for parents uses this too."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            fuzzy = Organisation.objects.search(search_term).values("pk")
            found = queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=fuzzy))
        return found, may_have_duplicates

    def has_import_permission(self, request):
        return request.user.has_perm("cooperatives.add_organisation") and request.user.has_perm(
            "cooperatives.change_organisation"
        )

    def has_export_permission(self, request):
        return request.user.has_perm("cooperatives.view_organisation")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "_verify" in request.POST:
            organisations_mark_verified(
                organisations=Organisation.objects.filter(pk=obj.pk), by=request.user
            )

    @admin.action(description="Mark verified today", permissions=["change"])
    def mark_verified_today(self, request, queryset):
        count = organisations_mark_verified(organisations=queryset, by=request.user)
        self.message_user(
            request, f"{count} entr{'y' if count == 1 else 'ies'} marked verified today."
        )

    @admin.action(description="Mark inactive", permissions=["change"])
    def mark_inactive(self, request, queryset):
        count = organisations_mark_inactive(organisations=queryset, by=request.user)
        self.message_user(request, f"{count} entr{'y' if count == 1 else 'ies'} marked inactive.")


# --- suggestions --------------------------------------------------------------------------


def _display(organisation_field: str, value) -> str:
    """A proposed or current value in words (labels for choices, lists joined)."""
    field = Organisation._meta.get_field(organisation_field)
    base = getattr(field, "base_field", field)  # an ArrayField's items
    choices = dict(getattr(base, "choices", None) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "—"
    return str(choices.get(value, value))


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    change_form_template = "cooperatives/admin/suggestion_change_form.html"
    list_display = ("__str__", "kind", "status", "submitted_by", "created_at")
    list_filter = ("status", "kind")
    list_select_related = ("organisation", "submitted_by")
    search_fields = ("organisation__name", "note", "proposed__name")
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "organisation",
        "submitted_by",
        "created_at",
        "proposed_changes",
        "note",
        "status",
        "reviewed_by",
        "reviewed_at",
        "rejection_reason",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # members suggest on the site

    def get_ordering(self, request):
        # the queue: waiting suggestions first, oldest first; answered ones after, newest first
        waiting = Case(When(status=Suggestion.Status.PENDING, then=Value(0)), default=Value(1))
        return [
            waiting.asc(),
            Case(When(status=Suggestion.Status.PENDING, then=F("created_at")), default=None).asc(
                nulls_last=True
            ),
            "-created_at",
        ]

    @admin.display(description="proposed changes")
    def proposed_changes(self, suggestion):
        current = suggestion.organisation if suggestion.kind == Suggestion.Kind.CORRECTION else None
        rows = [
            (
                Organisation._meta.get_field(name).verbose_name.capitalize(),
                _display(name, getattr(current, name)) if current else "—",
                _display(name, suggestion.proposed[name]),
            )
            for name in SUGGESTIBLE_FIELDS
            if name in suggestion.proposed
        ]
        if not rows:
            return "No field changes: see the note."
        return format_html(
            "<table><thead><tr><th scope='col'>Field</th><th scope='col'>Now</th>"
            "<th scope='col'>Proposed</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", rows),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        suggestion = self.get_object(request, object_id)
        problem = None
        if suggestion is not None and suggestion.status == Suggestion.Status.PENDING:
            try:
                suggestion_preview(suggestion)
            except ValidationError as error:
                problem = " ".join(error.messages)
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "can_decide": suggestion is not None
            and suggestion.status == Suggestion.Status.PENDING
            and self.has_change_permission(request, suggestion),
            "apply_problem": problem,
            "reject_form": self._rejection_form(request, object_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="cooperatives_suggestion_approve",
            ),
            path(
                "<int:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="cooperatives_suggestion_reject",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _draft_key(pk) -> str:
        return f"suggestion-rejection-draft-{pk}"

    def _rejection_form(self, request, pk) -> RejectionForm:
        """The reason form, holding the reason a refused rejection carried (shown with its
        error) so a curator's words are never lost on the way back to the page."""
        draft = request.session.pop(self._draft_key(pk), None)
        if draft is None:
            return RejectionForm()
        form = RejectionForm(data={"reason": draft})
        form.is_valid()
        return form

    def _decided(self, request, suggestion, action, *, draft=None) -> HttpResponseRedirect:
        try:
            result = action()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            if draft is not None:
                request.session[self._draft_key(suggestion.pk)] = draft
            return HttpResponseRedirect(
                reverse("admin:cooperatives_suggestion_change", args=[suggestion.pk])
            )
        if isinstance(result, Organisation):
            self.message_user(
                request,
                format_html(
                    "Approved and applied to <a href='{}'>{}</a>. The member will be told.",
                    reverse("admin:cooperatives_organisation_change", args=[result.pk]),
                    result,
                ),
            )
        else:
            self.message_user(request, "Rejected. The member will be told why.")
        return HttpResponseRedirect(reverse("admin:cooperatives_suggestion_changelist"))

    def _suggestion_for_decision(self, request, pk) -> Suggestion:
        suggestion = get_object_or_404(Suggestion, pk=pk)
        if not self.has_change_permission(request, suggestion):
            raise PermissionDenied
        return suggestion

    def approve_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:cooperatives_suggestion_change", args=[pk]))
        suggestion = self._suggestion_for_decision(request, pk)
        return self._decided(
            request,
            suggestion,
            lambda: suggestion_approve(suggestion=suggestion, by=request.user),
        )

    def reject_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:cooperatives_suggestion_change", args=[pk]))
        suggestion = self._suggestion_for_decision(request, pk)
        reason = request.POST.get("reason", "")
        return self._decided(
            request,
            suggestion,
            lambda: suggestion_reject(suggestion=suggestion, by=request.user, reason=reason),
            draft=reason,
        )


# --- affiliations -------------------------------------------------------------------------


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ("member", "organisation", "role", "created_at")
    list_filter = ("role",)
    list_select_related = ("member", "organisation")
    search_fields = ("organisation__name", "organisation__acronym", "member__display_name")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("member", "created_at")

    def has_add_permission(self, request):
        return False  # members add their own, on the organisation's page
