"""Moderation in Django admin: the reports queue, and hiding or showing stories and comments.

Hiding is reversible and never silent: the moderator writes why, and the author is told. What
members wrote is read-only here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from kit.textlimits import LimitedTextField
from stories import services
from stories.models import HIDDEN_REASON_MAX_LENGTH, Comment, Report, Story


class HideReasonForm(forms.Form):
    reason = LimitedTextField(
        label="Why? The author is told exactly this.",
        max_length=HIDDEN_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


def _hide_with_reason(modeladmin, request, queryset, *, targets, default_reason=""):
    """Ask for the reason on an intermediate page, then hide every target (story/comment)."""
    if "apply" in request.POST:
        form = HideReasonForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            hidden = 0
            for target in targets:
                if isinstance(target, Story):
                    hidden += services.story_hide(story=target, by=request.user, reason=reason)
                else:
                    hidden += services.comment_hide(comment=target, by=request.user, reason=reason)
            modeladmin.message_user(
                request, f"Hid {hidden} item(s); their authors will be told why.", messages.SUCCESS
            )
            return None
    else:
        form = HideReasonForm(initial={"reason": default_reason})
    return TemplateResponse(
        request,
        "admin/stories/hide_confirmation.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": "Hide, and tell the author why",
            "opts": modeladmin.model._meta,
            "targets": targets,
            "queryset": queryset,
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


class ModerationMixin:
    def has_hide_content_permission(self, request):
        return request.user.has_perm("stories.hide_content")

    def has_add_permission(self, request):
        return False


class HiddenFilter(admin.SimpleListFilter):
    title = "visibility"
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", "Hidden by moderators"), ("no", "Shown")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        return queryset


@admin.register(Story)
class StoryAdmin(ModerationMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "author", "published_at", "is_hidden_display")
    list_filter = ("kind", "status", HiddenFilter)
    search_fields = ("title", "summary")
    list_select_related = ("author",)
    date_hierarchy = "published_at"
    actions = ["hide", "unhide"]
    fields = (
        "title",
        "kind",
        "status",
        "author",
        "coauthors",
        "summary",
        "situation",
        "what_we_did",
        "results",
        "do_differently",
        "resources",
        "published_at",
        "edited_at",
        "helpful_count",
        "comment_count",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    )
    readonly_fields = fields

    @admin.display(description="hidden", boolean=True)
    def is_hidden_display(self, story):
        return story.is_hidden

    @admin.action(description="Hide the selected stories (asks why)", permissions=["hide_content"])
    def hide(self, request, queryset):
        return _hide_with_reason(self, request, queryset, targets=list(queryset))

    @admin.action(description="Show the selected stories again", permissions=["hide_content"])
    def unhide(self, request, queryset):
        shown = sum(services.story_unhide(story=story, by=request.user) for story in queryset)
        self.message_user(request, f"{shown} story(ies) shown again.", messages.SUCCESS)

    def view_on_site(self, story):
        return story.get_absolute_url()


@admin.register(Comment)
class CommentAdmin(ModerationMixin, admin.ModelAdmin):
    list_display = ("excerpt", "story", "author", "created_at", "is_hidden_display")
    list_filter = (HiddenFilter,)
    search_fields = ("body",)
    list_select_related = ("author", "story")
    actions = ["hide", "unhide"]
    fields = (
        "story",
        "author",
        "body",
        "created_at",
        "edited_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    )
    readonly_fields = fields

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    @admin.display(description="hidden", boolean=True)
    def is_hidden_display(self, comment):
        return comment.is_hidden

    @admin.action(description="Hide the selected comments (asks why)", permissions=["hide_content"])
    def hide(self, request, queryset):
        return _hide_with_reason(self, request, queryset, targets=list(queryset))

    @admin.action(description="Show the selected comments again", permissions=["hide_content"])
    def unhide(self, request, queryset):
        shown = sum(services.comment_unhide(comment=c, by=request.user) for c in queryset)
        self.message_user(request, f"{shown} comment(s) shown again.", messages.SUCCESS)

    def view_on_site(self, comment):
        return comment.get_absolute_url()


class ReportStatusFilter(admin.SimpleListFilter):
    """The queue opens on what still needs a moderator."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or Report.Status.OPEN) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or Report.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(Report)
class ReportAdmin(ModerationMixin, admin.ModelAdmin):
    list_display = ("created_at", "reported", "reason", "short_details", "reporter", "status")
    list_filter = (ReportStatusFilter, "reason")
    list_select_related = ("story", "comment__story", "reporter")
    actions = ["hide_reported", "unhide_reported", "dismiss"]
    fields = (
        "reported",
        "reason",
        "details",
        "reporter",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
    )
    readonly_fields = fields

    @admin.display(description="reported")
    def reported(self, report):
        target = report.target
        kind = "Story" if report.story_id else "Comment"
        label = Truncator(str(target.title if report.story_id else target.body)).chars(60)
        admin_url = reverse(
            f"admin:stories_{kind.lower()}_change",
            args=[target.pk],
            current_app=self.admin_site.name,
        )
        hidden = " (hidden)" if target.is_hidden else ""
        return format_html(
            '{}: <a href="{}">{}</a>{} · <a href="{}">on the site</a>',
            kind,
            admin_url,
            label,
            hidden,
            target.get_absolute_url(),
        )

    @admin.display(description="details")
    def short_details(self, report):
        return Truncator(report.details).chars(80)

    @admin.action(
        description="Hide the reported stories or comments (asks why)", permissions=["hide_content"]
    )
    def hide_reported(self, request, queryset):
        reports = list(queryset)
        targets = list({(type(r.target), r.target.pk): r.target for r in reports}.values())
        default = "; ".join(
            sorted(
                {r.get_reason_display() + (f": {r.details}" if r.details else "") for r in reports}
            )
        )
        return _hide_with_reason(self, request, queryset, targets=targets, default_reason=default)

    @admin.action(
        description="Show the reported stories or comments again", permissions=["hide_content"]
    )
    def unhide_reported(self, request, queryset):
        shown = 0
        for report in queryset:
            if report.story_id:
                shown += services.story_unhide(story=report.story, by=request.user)
            else:
                shown += services.comment_unhide(comment=report.comment, by=request.user)
        self.message_user(request, f"{shown} item(s) shown again.", messages.SUCCESS)

    @admin.action(description="Dismiss: nothing to hide", permissions=["hide_content"])
    def dismiss(self, request, queryset):
        for report in queryset:
            services.report_dismiss(report=report, by=request.user)
        self.message_user(request, "Dismissed.", messages.SUCCESS)
