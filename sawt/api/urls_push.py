"""Push endpoints (write scope): transactions, complaints, survey responses.

`complaints/` is also where complaints are read (GET): ComplaintCollection answers both, so this
module must be included before urls_read (the first pattern that matches a path wins, whatever
the method)."""

from django.urls import URLPattern, path

from sawt.api.views import push

urlpatterns: list[URLPattern] = [
    path("transactions/", push.TransactionPush.as_view(), name="transactions"),
    path("complaints/", push.ComplaintCollection.as_view(), name="complaints"),
    path("surveys/<str:code>/responses/", push.ResponsePush.as_view(), name="survey_responses"),
]
