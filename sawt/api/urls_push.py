"""Push endpoints (write scope): transactions, complaints, survey responses."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
