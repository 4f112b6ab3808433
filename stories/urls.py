from django.urls import path

from stories import feeds, views

app_name = "stories"
urlpatterns = [
    path("", views.StoryListView.as_view(), name="list"),
    path("new/", views.story_create, name="create"),
    path("mine/", views.MyStoriesView.as_view(), name="mine"),
    path("saved/", views.SavedListView.as_view(), name="saved"),
    path("feed/", feeds.StoryFeed(), name="feed"),
    path("feed/tag/<slug:slug>/", feeds.TagFeed(), name="feed_tag"),
    path("feed/<str:kind>/", feeds.KindFeed(), name="feed_kind"),
    path("<int:pk>/", views.story_detail, name="detail_short"),
    path("<int:pk>-<slug:slug>/", views.story_detail, name="detail"),
    path("<int:pk>/edit/", views.story_update, name="update"),
    path("<int:pk>/delete/", views.StoryDeleteView.as_view(), name="delete"),
    path("<int:pk>/publish/", views.story_publish, name="publish"),
    path("<int:pk>/helpful/", views.helpful_toggle, name="helpful"),
    path("<int:pk>/save/", views.save_toggle, name="save"),
    path("<int:pk>/report/", views.story_report, name="report"),
    path("<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("<int:pk>/answer/clear/", views.answer_unmark, name="answer_unmark"),
    path("<int:pk>/ask/", views.colleagues_ask, name="ask"),
    path("<int:pk>/coauthors/", views.coauthors, name="coauthors"),
    path("<int:pk>/coauthors/add/", views.coauthor_add, name="coauthor_add"),
    path("<int:pk>/coauthors/remove/", views.coauthor_remove, name="coauthor_remove"),
    path("comments/<int:pk>/edit/", views.comment_update, name="comment_update"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("comments/<int:pk>/answer/", views.answer_mark, name="answer_mark"),
]
