"""Read endpoints (read scope): surveys, summaries, complaints, gaps, recommendations."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
