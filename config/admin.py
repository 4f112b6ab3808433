"""The admin site: Django's, plus the staff's community overview (home/overview.py)."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_POST

from home.overview import forget_overview, kept_overview
from kit import scopes


class CommonsAdminSite(admin.AdminSite):
    def get_urls(self):
        # admin_view: staff only (checked on every request), and CSRF-protected
        pages = [
            path("overview/", self.admin_view(self.overview_view), name="overview"),
            path(
                "overview/count-again/",
                self.admin_view(require_POST(self.overview_recount_view)),
                name="overview_recount",
            ),
        ]
        return [*pages, *super().get_urls()]

    def overview_view(self, request):
        return TemplateResponse(
            request,
            "admin/overview.html",
            {
                **self.each_context(request),
                "title": "Community overview",
                # counted at most a few minutes ago, and it says when (home/overview.py)
                "overview": kept_overview(),
            },
        )

    def overview_recount_view(self, request):
        forget_overview()
        scopes.changed()  # nothing any page shows: no kept page is dropped for it
        messages.success(request, "Counted again: the numbers below are as of now.")
        return redirect("admin:overview")
