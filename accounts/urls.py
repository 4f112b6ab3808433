from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
]
