"""The Content-Security-Policy holds in a real browser: every page, the web report and the admin
render with no violation (no inline script, style element or style attribute is blocked).

Chromium reports each blocked resource both as a console error and as a
`securitypolicyviolation` event; both are collected, page by page.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests_e2e.conftest import login, orm

pytestmark = pytest.mark.e2e

JOURNEY, PERIOD = "contractor-classification", "2022-06"
# Records every violation the page reports, from the first byte of each document.
_LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def urls(sawt_env: dict[str, str]) -> list[str]:
    """Every kind of page, with ids and codes read from the served demo; the admin's too."""
    code = (
        "import json; from sawt.gaps.models import Gap; "
        "from sawt.catalog.models import GapCategory; from sawt.workshops.models import Workshop; "
        f"gap = Gap.objects.filter(journey__slug='{JOURNEY}').order_by('pk').first(); "
        f"cat = GapCategory.objects.filter(journey__slug='{JOURNEY}', complaints__isnull=False)"
        ".order_by('pk').first(); "
        "print(json.dumps([gap.pk, cat.code, Workshop.objects.order_by('pk').first().pk]))"
    )
    gap, category, workshop = orm(sawt_env, code)
    journey = f"/journeys/{JOURNEY}/{PERIOD}/"
    return [
        "/",
        f"/periods/{PERIOD}/",
        journey,
        f"{journey}categories/{category}/",
        f"{journey}review/",
        f"{journey}themes/",
        "/gaps/",
        f"/gaps/{gap}/",
        f"/gaps/new/?journey={JOURNEY}&period={PERIOD}&category={category}",
        "/imports/",
        f"/reports/{JOURNEY}/{PERIOD}/",
        f"/reports/{JOURNEY}/{PERIOD}/?lang=en&digits=arabic",
        "/no-such-page/",
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/gaps/gap/",
        f"/admin/gaps/gap/{gap}/change/",
        "/admin/workshops/workshop/add/",
        f"/admin/workshops/workshop/{workshop}/change/",
        "/admin/complaints/complaint/",
        "/admin/core/auditevent/",
    ]


def _violations(page: Any, console: list[str], url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    page.wait_for_load_state("networkidle")
    policy = response.header_value("content-security-policy") or ""
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy, (url, policy)
    found = page.evaluate("window.__csp || []") + console
    console.clear()
    return [f"{url}: {v}" for v in found]


def _watched(new_page: Any, lang: str) -> tuple[Any, list[str]]:
    page = new_page(lang=lang)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(_LISTEN)
    return page, console


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_page_renders_without_a_policy_violation(new_page, urls, lang):
    page, console = _watched(new_page, lang)
    found = _violations(page, console, "/accounts/login/")
    login(page, "admin")
    for url in urls:
        found += _violations(page, console, url)
    assert found == []


def test_the_review_keys_still_work_under_the_policy(new_page):
    # The one script of the site runs from its own file: keys move the focus, "?" opens help.
    page, console = _watched(new_page, "en")
    login(page, "analyst")
    found = _violations(page, console, f"/journeys/{JOURNEY}/{PERIOD}/review/")
    page.keyboard.press("j")
    assert page.locator("[data-review-item].is-current").count() == 1
    page.keyboard.press("Shift+?")
    found += page.evaluate("window.__csp") + console
    assert found == []


def test_a_violation_would_be_seen(new_page):
    # The control: an inline style attribute is blocked, and the listener reports it.
    page, console = _watched(new_page, "en")
    _violations(page, console, "/accounts/login/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in page.evaluate("window.__csp"))
