"""The public survey form's addresses, under /s/ (no sign-in): sawt/web/views/form.py.

`/s/<token>/` is what `sawt.distribution.links.public_url` builds for every message."""

from django.urls import path

from sawt.web.views import form

app_name = "form"
urlpatterns = [
    # Before `<token>/`: "open" is never a token (tokens are 32 characters).
    path("open/<slug:code>/", form.open_form, name="open"),
    path("<str:token>/", form.survey_form, name="survey"),
    path("<str:token>/stop/", form.survey_form_stop, name="stop"),
]
