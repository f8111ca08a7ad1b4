from django.urls import path

from sawt.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("journeys/<slug:slug>/<str:period>/", views.journey_summary_page, name="journey"),
]
