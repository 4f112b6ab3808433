from django.urls import path

from members import views

app_name = "accounts"  # the members' pages kept their URL names (accounts:detail…)
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("welcome/", views.OnboardingView.as_view(), name="onboarding"),
    path("me/", views.MeView.as_view(), name="me"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/contact/", views.ContactView.as_view(), name="contact"),
    path("<int:pk>/edit/", views.ProfileUpdateView.as_view(), name="update"),
    path("<int:pk>/settings/", views.SettingsView.as_view(), name="settings"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
