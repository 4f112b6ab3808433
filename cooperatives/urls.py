from django.urls import path

from cooperatives import views

app_name = "cooperatives"
urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    # fixed words first; cooperatives.services.RESERVED_SLUGS keeps entries off them
    path("suggest/", views.SuggestionCreateView.as_view(), name="suggest"),
    path("suggestions/", views.MySuggestionsView.as_view(), name="suggestions"),
    path("<slug:slug>/", views.OrganisationDetailView.as_view(), name="detail"),
    path("<slug:slug>/affiliation/", views.affiliation_update, name="affiliation"),
    path("<slug:slug>/suggest/", views.SuggestionCreateView.as_view(), name="suggest_correction"),
]
