from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from home import views as home_views
from kit import views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("search/", home_views.search, name="search"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("stories/", include("stories.urls")),
    path("groups/", include("groups.urls")),
    path("directory/", include("cooperatives.urls")),
    path("notifications/", include("notifications.urls")),
    path("mail/", include("mailin.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "kit.views.bad_request"
handler403 = "kit.views.permission_denied"
handler404 = "kit.views.page_not_found"
handler500 = "kit.views.server_error"

admin.site.site_header = settings.SITE_NAME + " administration"
admin.site.site_title = settings.SITE_NAME
