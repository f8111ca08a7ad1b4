"""Recommendation moves (write scope)."""

from django.urls import URLPattern, path

from sawt.api.views import moves

urlpatterns: list[URLPattern] = [
    path(
        "recommendations/<int:pk>/moves/",
        moves.RecommendationMoves.as_view(),
        name="recommendation_moves",
    ),
]
