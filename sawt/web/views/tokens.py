"""API tokens for administrators: the list (with last use and revocation), a form that makes
one and shows it once, and revocation after a confirmation. The command line does the same
(`sawt token`); both call the services in sawt/accounts/tokens.py, which check the role again.

The new token is written into the answer to the form's POST, never stored (only its hash is),
nor put in the session or a redirect: the page that shows it is the only place it ever appears.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sawt.accounts.tokens import token_create, token_revoke, tokens_list
from sawt.core.access import require
from sawt.core.exceptions import ApplicationError
from sawt.web.token_forms import ALL_AGENCIES, TokenForm


def _admin_only(request: HttpRequest) -> None:
    # Both token actions belong to administrators; the services ask again.
    require(request.user, "token.create")
    require(request.user, "token.revoke")


def _form_page(request: HttpRequest, form: TokenForm, *, status: int = 200) -> HttpResponse:
    return render(request, "web/tokens/new.html", {"form": form, "nav": "tokens"}, status=status)


@require_GET
@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    """Every token, revoked ones too: who had access, and when each was last used."""
    _admin_only(request)
    return render(request, "web/tokens/list.html", {"tokens": list(tokens_list()), "nav": "tokens"})


@require_http_methods(["GET", "POST"])
@login_required
def token_new(request: HttpRequest) -> HttpResponse:
    """The form; once valid, the page that shows the new token this once."""
    _admin_only(request)
    if request.method != "POST":
        return _form_page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    agency = form.cleaned_data["agency"]
    try:
        token, raw = token_create(
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            agency_code=None if agency == ALL_AGENCIES else agency,
            all_agencies=agency == ALL_AGENCIES,
            actor=request.user,
        )
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _form_page(request, form, status=400)
    response = render(
        request, "web/tokens/created.html", {"token": token, "raw": raw, "nav": "tokens"}
    )
    # Neither the browser's cache nor its history may keep the page that holds the secret.
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def token_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes, then back to the list."""
    _admin_only(request)
    token = get_object_or_404(tokens_list(), pk=pk)
    if request.method != "POST":
        return render(request, "web/tokens/revoke.html", {"token": token, "nav": "tokens"})
    was_active = token.revoked_at is None
    token_revoke(name=token.name, actor=request.user)
    if was_active:
        messages.success(
            request,
            _("Revoked the token “%(name)s”: it is refused from its next request on.")
            % {"name": token.name},
        )
    else:
        messages.info(
            request,
            _("The token “%(name)s” was already revoked; nothing changed.") % {"name": token.name},
        )
    # 303: the browser fetches the list with GET, so a reload never posts again.
    response = HttpResponseRedirect(reverse("web:tokens"))
    response.status_code = 303
    return response
