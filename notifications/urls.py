from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read-all/", views.notifications_mark_all_read, name="read_all"),
    path("following/", views.FollowingListView.as_view(), name="following"),
    path("follow/<str:kind>/<int:pk>/", views.follow_toggle, name="follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mailing-list/", views.mailing_list, name="mailing_list"),
    path("mailing-list/stop/<str:token>/", views.list_stop, name="list_stop"),
]
