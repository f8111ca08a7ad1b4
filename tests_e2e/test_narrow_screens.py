"""Every page, for every role, on a 360 px phone: nothing is wider than the screen.

A wide table may scroll inside its own box (the journey's stage table does, with a hint); the
page itself never scrolls sideways. One browser context per role, signed in once; each page is
checked in Arabic and in English; screenshots go to var/test-artifacts/e2e/ (narrow-*.png).
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests_e2e.conftest import login, orm, shot

pytestmark = pytest.mark.e2e

NARROW = {"width": 360, "height": 780}
JOURNEY, PERIOD = "contractor-classification", "2022-06"
OTHER_JOURNEY = "building-permits"
ROLES = ("admin", "analyst", "agency", "other-agency", "viewer")
# How far the page is wider than its viewport, and the widest element that sticks out.
_OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  let widest = null;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1)
        && (!widest || box.width > widest.width)) {
      widest = {width: Math.round(box.width), what: el.tagName + "." + el.className};
    }
  }
  return {scroll: root.scrollWidth, width, widest};
}"""


# The other journey's earlier survey gets a stratified sample with an invitation in every state
# (once: the rows are keyed on their references), so its page shows a funnel, a failure reason
# and the table by channel and stratum; the demo's own surveys were imported (no funnel).
FUNNEL_SURVEY = "bp-2022-03"
_SAMPLE = f"""
import datetime as dt
from django.utils import timezone
from sawt.distribution.models import Invitation, Invitee, SampleDraw
from sawt.surveys.models import Survey
survey = Survey.objects.get(code="{FUNNEL_SURVEY}")
if not SampleDraw.objects.filter(survey=survey).exists():
    SampleDraw.objects.create(survey=survey, population=4100, drawn=9, seed=7, strata="region")
now = timezone.now()
states = ["queued", "sent", "failed", "opened", "started", "completed", "expired", "opted_out"]
times = {{"sent": ["sent"], "failed": ["failed"], "opened": ["sent", "opened"],
    "started": ["sent", "opened", "started"], "expired": ["sent"], "opted_out": ["sent"],
    "completed": ["sent", "opened", "started", "completed"]}}
for i, state in enumerate(states):
    invitee, _ = Invitee.objects.get_or_create(
        survey=survey, reference_id=f"E2E-{{i}}",
        defaults={{"mobile_hash": f"{{i:064x}}", "stratum": ("منطقة الرياض", "Makkah")[i % 2]}})
    Invitation.objects.get_or_create(invitee=invitee, defaults={{
        "channel": ("sms", "email")[i % 2], "state": state, "expires_at": now,
        "failure_reason": "rejected" if state == "failed" else "",
        **{{f"{{t}}_at": now for t in times.get(state, [])}}}})
print("[]")
"""


@pytest.fixture(scope="module")
def pages(sawt_env: dict[str, str]) -> dict[str, str]:
    """Every kind of page, with ids and codes read from the served demo."""
    code = (
        "import json; from sawt.gaps.models import Gap; "
        "from sawt.catalog.models import GapCategory; "
        f"cc = Gap.objects.filter(journey__slug='{JOURNEY}').order_by('pk').first(); "
        f"bp = Gap.objects.filter(journey__slug='{OTHER_JOURNEY}').order_by('pk').first(); "
        f"cat = GapCategory.objects.filter(journey__slug='{JOURNEY}', complaints__isnull=False)"
        ".order_by('pk').first(); "
        "print(json.dumps([cc.pk, bp.pk, cat.code]))"
    )
    gap, other_gap, category = orm(sawt_env, code)
    orm(sawt_env, _SAMPLE)
    journey = f"/journeys/{JOURNEY}/{PERIOD}/"
    return {
        "portfolio": "/",
        "journey": journey,
        "journey-other": f"/journeys/{OTHER_JOURNEY}/{PERIOD}/",
        "category": f"{journey}categories/{category}/",
        "review": f"{journey}review/",
        "themes": f"{journey}themes/",
        "gaps": "/gaps/",
        "gap": f"/gaps/{gap}/",
        "gap-other": f"/gaps/{other_gap}/",
        "gap-new": f"/gaps/new/?journey={JOURNEY}&period={PERIOD}&category={category}",
        "imports": "/imports/",
        "survey": "/surveys/cc-2022-06/",
        "survey-funnel": f"/surveys/{FUNNEL_SURVEY}/",
        "report": f"/reports/{JOURNEY}/{PERIOD}/",
        "tokens": "/tokens/",
        "token-new": "/tokens/new/",
        "admin": "/admin/",
        "not-found": "/no-such-page/",
    }


def _set_language(context: Any, server: str, lang: str) -> None:
    context.add_cookies([{"name": "django_language", "value": lang, "url": server}])


def _check(page: Any, url: str, name: str, *, keep: bool) -> str | None:
    """None if the page fits; otherwise what sticks out (and its screenshot is always kept)."""
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{url}: {response and response.status}"
    found = page.evaluate(_OVERFLOW)
    fits = found["scroll"] <= found["width"]
    if keep or not fits:
        shot(page, f"narrow-{name}")
    if fits:
        return None
    return (
        f"{url} ({name}): {found['scroll']} px wide at {found['width']}, widest {found['widest']}"
    )


@pytest.mark.parametrize("username", ROLES)
def test_no_page_is_wider_than_a_phone(browser, server, pages, username):
    context = browser.new_context(base_url=server, viewport=NARROW)
    context.set_default_timeout(15_000)
    try:
        page = login(context.new_page(), username)
        too_wide = []
        for lang in ("ar", "en"):
            _set_language(context, server, lang)
            for name, url in pages.items():
                # Screenshots (a fifth of a second each) of every Arabic page, and of the
                # English pages as the analyst, who sees them all.
                keep = lang == "ar" or username == "analyst"
                too_wide.append(_check(page, url, f"{name}-{username}-{lang}-360", keep=keep))
        assert [line for line in too_wide if line] == []
    finally:
        context.close()


def test_the_login_page_fits_a_phone(browser, server):
    context = browser.new_context(base_url=server, viewport=NARROW)
    try:
        page = context.new_page()
        too_wide = []
        for lang in ("ar", "en"):
            _set_language(context, server, lang)
            too_wide.append(_check(page, "/accounts/login/", f"login-{lang}-360", keep=True))
        assert [line for line in too_wide if line] == []
    finally:
        context.close()


def test_the_stage_table_says_it_scrolls(browser, server, pages):
    """The stage table is wider than a phone: it scrolls in its own box, and the page says so."""
    context = browser.new_context(base_url=server, viewport=NARROW)
    try:
        page = login(context.new_page(), "viewer")
        page.goto(pages["journey"])
        box = page.locator("#map-h ~ .scroll-x")
        assert box.evaluate("el => el.scrollWidth > el.clientWidth")
        hint = page.locator("#map-hint")
        assert hint.is_visible() and box.get_attribute("aria-describedby") == "map-hint"
    finally:
        context.close()


def test_form_fields_use_the_site_font(browser, server, pages):
    """Chromium gives a textarea its monospace font unless the page says otherwise."""
    context = browser.new_context(base_url=server, viewport=NARROW)
    try:
        page = login(context.new_page(), "analyst")
        page.goto(pages["gap"])
        fonts = page.evaluate(
            """() => [...document.querySelectorAll("main textarea, main input[type=text],"
                + " main select, main button")].map(el => getComputedStyle(el).fontFamily)"""
        )
        body = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert fonts and set(fonts) == {body}, (fonts, body)
    finally:
        context.close()


def test_an_import_and_its_problems_fit_a_phone(browser, server, tmp_path):
    """The import form, then the refused file's status page with its table of problems."""
    bad = tmp_path / "responses.csv"
    bad.write_text(
        "respondent_id,submitted_at,overall,reach_effort\n"
        "E-1,2022-06-03,4,5\n"
        "E-2,2022-06-03,9,4\n"
        ",2022-06-04,3,3\n",
        encoding="utf-8",
    )
    context = browser.new_context(base_url=server, viewport=NARROW)
    context.set_default_timeout(15_000)
    try:
        page = login(context.new_page(), "analyst")
        _set_language(context, server, "en")
        page.goto("/imports/")
        page.get_by_label("What the file holds").select_option("responses")
        survey = page.get_by_label(re.compile(r"^Survey:?$"))
        option = survey.locator("option", has_text="(cc-2022-06)").get_attribute("value")
        survey.select_option(option)
        page.get_by_label(re.compile(r"^File:?$")).set_input_files(str(bad))
        page.get_by_role("button", name="Import", exact=True).click()
        page.wait_for_load_state()
        status_url = page.url
        # The worker refuses the file in the background; the page shows it when done.
        deadline = time.monotonic() + 60
        while page.locator('[data-job-status="queued"], [data-job-status="running"]').count():
            assert time.monotonic() < deadline, "the import did not finish within 60 s"
            time.sleep(0.5)
            page.goto(status_url)
        too_wide = []
        for lang in ("en", "ar"):
            _set_language(context, server, lang)
            too_wide.append(_check(page, status_url, f"import-status-{lang}-360", keep=True))
        assert [line for line in too_wide if line] == []
    finally:
        context.close()


def test_api_tokens_fit_a_phone(browser, server):
    """An administrator makes a token on a phone: the page showing it (a long unbroken string)
    fits, then the list holding it and the revocation's confirmation, in both languages."""
    context = browser.new_context(base_url=server, viewport=NARROW)
    context.set_default_timeout(15_000)
    try:
        page = login(context.new_page(), "admin")
        too_wide = []
        for lang in ("ar", "en"):
            _set_language(context, server, lang)
            page.goto("/tokens/new/")
            page.fill("#id_name", f"e2e-narrow-{lang}")
            page.select_option("#id_agency", "*")
            page.check("#id_scope_1")
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            assert page.locator("#secret").is_visible()
            found = page.evaluate(_OVERFLOW)
            shot(page, f"narrow-token-created-{lang}-360")
            if found["scroll"] > found["width"]:
                too_wide.append(f"token created ({lang}): {found}")
            too_wide.append(_check(page, "/tokens/", f"tokens-listed-{lang}-360", keep=True))
            revoke = page.locator('main a[href$="/revoke/"]').first.get_attribute("href")
            too_wide.append(_check(page, revoke, f"token-revoke-{lang}-360", keep=True))
        assert [line for line in too_wide if line] == []
    finally:
        context.close()


def test_the_column_mapping_preview_fits_a_phone(browser, server, tmp_path):
    """A complaints export sawt cannot read as its own is previewed for choosing which column
    is which: the wide first rows scroll inside their own box, the page never sideways."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "ملخص"
    book.active.append(["عدد البلاغات", 2])
    sheet = book.create_sheet("البلاغات")
    sheet.append(["تقرير البلاغات الواردة من نظام إدارة البلاغات الموحد"])
    header = ["رقم البلاغ", "تاريخ الاستلام", "الموضوع", "قناة الورود", "اسم المستفيد"]
    sheet.append(header + [f"عمود إضافي طويل الاسم {i}" for i in range(8)])
    for i in range(25):
        sheet.append([f"B-{i}", "03/07/2022", "تأخر إصدار الرخصة " * 4, "بلدي", "محمد"] + ["x"] * 8)
    path = tmp_path / "export.xlsx"
    book.save(path)
    context = browser.new_context(base_url=server, viewport=NARROW)
    context.set_default_timeout(15_000)
    try:
        page = login(context.new_page(), "analyst")
        _set_language(context, server, "en")
        page.goto("/imports/")
        page.get_by_label("What the file holds").select_option("complaints")
        page.locator("#id_journey").select_option(index=1)
        page.get_by_label(re.compile(r"^File:?$")).set_input_files(str(path))
        page.get_by_role("button", name="Import", exact=True).click()
        page.wait_for_load_state()
        assert "/imports/map/" in page.url, page.url
        preview = page.url
        too_wide = []
        for lang in ("en", "ar"):
            _set_language(context, server, lang)
            url = f"{preview}?sheet=البلاغات"
            too_wide.append(_check(page, url, f"import-mapping-{lang}-360", keep=True))
            box = page.locator(".mapping-preview")
            assert box.evaluate("el => el.scrollWidth > el.clientWidth")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{preview}?sheet=البلاغات")
        shot(page, "wide-import-mapping-ar-1280")
        assert [line for line in too_wide if line] == []
    finally:
        context.close()
