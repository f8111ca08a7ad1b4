"""The webhooks pages, for administrators: register a hook (its secret shown once), change its
events, agency and state, delete it, and read the log of its deliveries and their attempts.

Every page asks `webhook.manage` first (others get a 403; the services check it again)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sawt.core.access import require
from sawt.core.exceptions import ApplicationError
from sawt.web.webhook_forms import WebhookEditForm, WebhookForm
from sawt.webhooks import services
from sawt.webhooks.models import Webhook
from sawt.webhooks.selectors import delivery_log, webhook_get, webhook_list

PER_PAGE = 20


def _list(request: HttpRequest, form: WebhookForm, status: int = 200) -> HttpResponse:
    context = {"hooks": webhook_list(), "form": form, "nav": "webhooks"}
    return render(request, "web/webhooks/list.html", context, status=status)


@login_required
@never_cache  # the answer to a registration carries the secret
@require_http_methods(["GET", "POST"])
def webhooks_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "webhook.manage")
    if request.method == "GET":
        return _list(request, WebhookForm())
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            hook = services.webhook_create(
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                agency=form.cleaned_data["agency"],
                actor=request.user,
            )
        except ApplicationError as exc:
            form.add_error("url", exc.message)
        else:
            # Shown here once, never again: the list and the hook's page leave it out.
            return render(request, "web/webhooks/created.html", {"hook": hook, "nav": "webhooks"})
    return _list(request, form, status=400)


def _detail(
    request: HttpRequest, hook: Webhook, form: WebhookEditForm, status: int = 200
) -> HttpResponse:
    page = Paginator(delivery_log(hook), PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"hook": hook, "form": form, "page": page, "nav": "webhooks"}
    return render(request, "web/webhooks/detail.html", context, status=status)


def _initial(hook: Webhook) -> dict[str, Any]:
    return {"events": hook.events, "agency": hook.agency, "active": hook.active}


@login_required
@require_http_methods(["GET", "POST"])
def webhook_page(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "webhook.manage")
    hook = webhook_get(pk)
    if request.method == "GET":
        return _detail(request, hook, WebhookEditForm(initial=_initial(hook)))
    form = WebhookEditForm(request.POST)
    if form.is_valid():
        try:
            services.webhook_update(
                hook=hook,
                events=form.cleaned_data["events"],
                agency=form.cleaned_data["agency"],
                active=form.cleaned_data["active"],
                actor=request.user,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("web:webhook", pk=hook.pk)
    return _detail(request, hook, form, status=400)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "webhook.manage")
    services.webhook_delete(hook=webhook_get(pk), actor=request.user)
    messages.success(request, _("The webhook was deleted."))
    return redirect("web:webhooks")
