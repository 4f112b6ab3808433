from django.urls import path

from cooperatives import views

app_name = "cooperatives"
urlpatterns = [
    path("", views.index, name="list"),
]
