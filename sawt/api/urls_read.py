"""Read endpoints (read scope): surveys, summaries, gaps, recommendations. Complaints are read
at complaints/, routed with their push (urls_push.py: one view for both methods)."""

from django.urls import path

from sawt.api.views import read

urlpatterns = [
    path("surveys/", read.SurveyList.as_view(), name="surveys"),
    path("surveys/<slug:code>/", read.SurveyDetail.as_view(), name="survey"),
    path(
        "journeys/<slug:slug>/periods/<str:period>/summary/",
        read.JourneySummary.as_view(),
        name="journey-summary",
    ),
    path("gaps/", read.GapList.as_view(), name="gaps"),
    path("gaps/<int:pk>/", read.GapDetail.as_view(), name="gap"),
    path("recommendations/", read.RecommendationList.as_view(), name="recommendations"),
    path("recommendations/<int:pk>/", read.RecommendationDetail.as_view(), name="recommendation"),
]
