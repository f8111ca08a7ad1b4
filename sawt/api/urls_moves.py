"""Recommendation moves (write scope)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
