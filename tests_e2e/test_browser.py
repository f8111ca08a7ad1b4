"""What people do in the browser, on the served demo: sign in, read, move, upload, get refused."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests_e2e.conftest import DESKTOP, PHONE, login, orm, shot

pytestmark = pytest.mark.e2e

DEMO_JOURNEY = "/journeys/contractor-classification/2022-06/"
ITEM_SCORES = ["3.4", "3.4", "3.4", "3.7", "3.7", "3.8", "3.8", "3.3", "3.7", "4.1"]
# Journeys each account's portfolio lists (None: must not be listed).
ROLES = {
    "admin": True,
    "analyst": True,
    "agency": True,
    "other-agency": False,
    "viewer": True,
}


def _gap_ids(env: dict[str, str], journey: str) -> list[int]:
    code = (
        "import json; from sawt.gaps.models import Gap; "
        f"print(json.dumps(list(Gap.objects.filter(journey__slug='{journey}')"
        ".order_by('pk').values_list('pk', flat=True))))"
    )
    return orm(env, code)


@pytest.mark.parametrize("username", list(ROLES))
def test_each_demo_account_signs_in_and_reaches_the_portfolio(new_page, server, username):
    page = login(new_page(), username)
    assert page.url == server, page.url
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The portfolio opens on the latest period (the demo's December wave): any period's link.
    demo_link = page.locator('main a[href*="/journeys/contractor-classification/"]')
    if ROLES[username]:
        assert demo_link.count() >= 1
    else:
        # other-agency sees its own journey, not the seed's.
        assert demo_link.count() == 0
        assert page.locator('main a[href*="/journeys/building-permits/"]').count() >= 1


# For each item's text on the page, the first score (n.n) in its nearest enclosing element.
_SCORE_NEAR = """(text) => {
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (walker.currentNode.textContent.trim() !== text) continue;
    for (let el = walker.currentNode.parentElement; el; el = el.parentElement) {
      const found = el.innerText.replace(text, "").match(/(?<![\\d.])\\d\\.\\d(?![\\d%])/);
      if (found) return found[0];
    }
  }
  return null;
}"""


def _item_texts(env: dict[str, str], lang: str) -> list[str]:
    code = (
        "import json; from sawt.surveys.models import Question; "
        "q = Question.objects.filter(survey__code='cc-2022-06', scale_max__isnull=False)"
        ".exclude(kind='overall'); "
        f"print(json.dumps(list(q.values_list('text_{lang}', flat=True))))"
    )
    return orm(env, code)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_demo_journey_shows_3_9_and_its_ten_item_scores(new_page, sawt_env, lang):
    page = login(new_page(lang=lang), "analyst")
    assert page.goto(DEMO_JOURNEY).status == 200
    overall = {"ar": "نسبة الرضا العام", "en": "Overall satisfaction"}[lang]
    assert page.evaluate(_SCORE_NEAR, overall) == "3.9"
    texts = _item_texts(sawt_env, lang)
    assert len(texts) == 10
    scores = [page.evaluate(_SCORE_NEAR, text.strip()) for text in texts]
    assert scores == ITEM_SCORES, list(zip(texts, scores, strict=True))


def test_agency_member_cannot_reach_another_agencys_gap(new_page, sawt_env):
    gap = _gap_ids(sawt_env, "contractor-classification")[0]
    page = login(new_page(), "other-agency")
    assert page.goto(f"/gaps/{gap}/").status == 404
    # The analyst does reach it: the 404 is scoping, not a missing page.
    analyst = login(new_page(), "analyst")
    assert analyst.goto(f"/gaps/{gap}/").status == 200


def test_bad_responses_file_shows_row_level_errors(new_page, sawt_env, tmp_path: Path):
    count = (
        "import json; from sawt.surveys.models import Response; "
        "print(json.dumps(Response.objects.filter(survey__code='cc-2022-06').count()))"
    )
    before = orm(sawt_env, count)
    bad = tmp_path / "responses.csv"
    bad.write_text(
        "respondent_id,submitted_at,overall,reach_effort\n"
        "E-1,2022-06-03,4,5\n"
        "E-2,2022-06-03,9,4\n"
        ",2022-06-04,3,3\n",
        encoding="utf-8",
    )
    page = login(new_page(lang="en"), "analyst")
    page.goto("/imports/")
    page.get_by_label("What the file holds").select_option("responses")
    survey = page.get_by_label(re.compile(r"^Survey:?$"))
    survey.select_option(survey.locator("option", has_text="(cc-2022-06)").get_attribute("value"))
    page.get_by_label(re.compile(r"^File:?$")).set_input_files(str(bad))
    with page.expect_response(lambda r: r.url.endswith("/imports/")) as posted:
        page.get_by_role("button", name="Import", exact=True).click()
    # The import runs in the background: the form answers 303 to the import's own page,
    # which shows the refusal once the worker is done.
    assert posted.value.status == 303
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    status_url, deadline = page.url, time.monotonic() + 60
    while page.locator('[data-job-status="queued"], [data-job-status="running"]').count():
        assert time.monotonic() < deadline, "the import did not finish within 60 s"
        time.sleep(0.5)
        page.goto(status_url)
    alert = page.get_by_role("alert")
    assert "nothing was saved" in alert.inner_text()
    rows = alert.locator("tbody tr")
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    assert ["3", "overall"] in [c[:2] for c in cells], cells
    assert ["4", "respondent_id"] in [c[:2] for c in cells], cells
    shot(page, "imports-bad-file-en-desktop")
    assert orm(sawt_env, count) == before  # E-1 was fine, but nothing was written


def test_analyst_moves_a_recommendation_and_sees_the_history(new_page, sawt_env):
    code = (
        "import json; from sawt.gaps.models import Recommendation; "
        "r = Recommendation.objects.filter(gap__journey__slug='building-permits', "
        "status='proposed').order_by('pk').first(); "
        # The history names it by its place among its gap's recommendations (1, 2, …).
        "n = r.gap.recommendations.filter(pk__lte=r.pk).count(); "
        "print(json.dumps([r.gap_id, r.pk, n]))"
    )
    gap, rec, number = orm(sawt_env, code)
    page = login(new_page(lang="en"), "analyst")
    assert page.goto(f"/gaps/{gap}/").status == 200
    card = page.locator(f"#rec-{rec}")
    assert card.locator("[data-status]").get_attribute("data-status") == "proposed"
    for label, status in (("approved", "approved"), ("in progress", "in_progress")):
        card.get_by_role("button", name=label, exact=True).click()
        page.wait_for_url(re.compile(rf"/gaps/{gap}/$"))
        assert card.locator("[data-status]").get_attribute("data-status") == status
    stored = orm(
        sawt_env,
        "import json; from sawt.gaps.models import Recommendation; "
        f"print(json.dumps(Recommendation.objects.get(pk={rec}).status))",
    )
    assert stored == "in_progress"
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    entries = history.locator("li").all_inner_texts()
    for move in ("proposed → approved", "approved → in progress"):
        assert any(f"recommendation {number}: {move}" in e and "analyst" in e for e in entries), (
            entries
        )
    shot(page, "gap-after-moves-en-desktop")


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshots(new_page, sawt_env, lang, width):
    viewport = DESKTOP if width == "desktop" else PHONE
    page = login(new_page(lang=lang, viewport=viewport), "analyst")
    gap = _gap_ids(sawt_env, "contractor-classification")[0]
    for name, url in (("portfolio", "/"), ("journey", DEMO_JOURNEY), ("gap", f"/gaps/{gap}/")):
        assert page.goto(url).status == 200, url
        assert page.locator("html").get_attribute("lang") == lang
        shot(page, f"{name}-{lang}-{width}")
        # Nothing wider than the screen: a phone never scrolls sideways.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{url} is {overflow}px wider than the {width} screen"
