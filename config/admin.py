"""The admin site: Django's, plus the staff's community overview (home/overview.py)."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from home.overview import overview


class CommonsAdminSite(admin.AdminSite):
    def get_urls(self):
        page = path("overview/", self.admin_view(self.overview_view), name="overview")
        return [page, *super().get_urls()]

    def overview_view(self, request):
        return TemplateResponse(
            request,
            "admin/overview.html",
            {
                **self.each_context(request),
                "title": "Community overview",
                # worked out afresh: it counts RSVPs and attendances, which move on only their
                # own dates' versions (kit/scopes.py), and staff open it rarely
                "overview": overview(),
            },
        )
