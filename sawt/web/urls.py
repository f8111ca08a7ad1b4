from django.urls import path

from sawt.web.views import pages

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("journeys/<slug:slug>/<str:period>/", pages.journey_summary_page, name="journey"),
]
