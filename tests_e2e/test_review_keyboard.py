"""The review queue by keyboard alone, on the served demo: j moves to a complaint, Enter confirms
the model's suggestion, the page comes back on the next complaint with one group fewer waiting."""

from __future__ import annotations

import re

import pytest

from tests_e2e.conftest import PHONE, login, orm, shot

pytestmark = pytest.mark.e2e

QUEUE = "/journeys/contractor-classification/2022-06/review/"


# The demo leaves complaints for a person: some name two problems at once, some one the
# taxonomy lacks (sawt/demo/data/contractor-classification.generate.yaml, `unsure`).
WAITING = """
import json
from sawt.complaints.models import Complaint
from sawt.core.periods import period_bounds
start, end = period_bounds("2022-06")
june = Complaint.objects.filter(journey__slug="contractor-classification",
                                received_at__gte=start, received_at__lt=end)
print(json.dumps(june.filter(category__isnull=True, prediction__isnull=False).count()))
"""


@pytest.fixture(scope="module", autouse=True)
def queue(server: str, sawt_env: dict[str, str]) -> int:
    return orm(sawt_env, WAITING)


def _waiting(page) -> int:
    return int(page.locator("[data-waiting]").get_attribute("data-waiting"))


def _analyst_labels(env: dict[str, str]) -> int:
    return orm(
        env,
        "import json; from sawt.complaints.models import Complaint; "
        "print(json.dumps(Complaint.objects.filter(journey__slug='contractor-classification', "
        "category_source='analyst').count()))",
    )


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_j_then_enter_settles_the_first_group(new_page, sawt_env, lang):
    page = login(new_page(lang=lang), "analyst")
    assert page.goto(QUEUE).status == 200
    assert page.locator("html").get_attribute("lang") == lang
    before, labels = _waiting(page), _analyst_labels(sawt_env)
    assert before > 1, "the demo should leave complaints for a person to settle"
    items = page.locator("[data-review-item]")
    first, second = items.nth(0).get_attribute("id"), items.nth(1).get_attribute("id")
    shot(page, f"review-{lang}-desktop")

    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == first
    page.keyboard.press("?")
    assert page.locator("#review-help").is_visible()
    shot(page, f"review-help-{lang}-desktop")
    page.keyboard.press("?")
    assert page.locator("#review-help").is_hidden()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()

    assert re.search(rf"{QUEUE}#{second}$", page.url), page.url
    assert _waiting(page) == before - 1
    assert _analyst_labels(sawt_env) > labels
    # Back on the next complaint, focused, so the next key acts on it.
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{second}'")
    assert page.locator(".flash").is_visible()
    shot(page, f"review-after-settle-{lang}-desktop")


def test_keys_are_left_alone_while_typing(new_page):
    page = login(new_page(lang="en"), "analyst")
    page.goto(QUEUE)
    before = _waiting(page)
    page.locator("form[action$='/i18n/setlang/'] button").focus()  # a button: keys still act
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.id")
    assert focused == page.locator("[data-review-item]").first.get_attribute("id")
    # Typing into a field: a made-up one, as the queue itself has none.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('afterbegin', '<input id=probe>')"
    )
    page.locator("#probe").fill("")
    page.locator("#probe").press("y")
    page.locator("#probe").press("1")
    assert page.locator("#probe").input_value() == "y1"
    assert _waiting(page) == before and page.url.endswith(QUEUE)


def test_the_queue_on_a_phone(new_page):
    page = login(new_page(lang="ar", viewport=PHONE), "analyst")
    assert page.goto(QUEUE).status == 200
    shot(page, "review-ar-phone")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the queue is {overflow}px wider than the phone"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_themes_page(new_page, lang):
    page = login(new_page(lang=lang), "analyst")
    url = QUEUE.replace("review/", "themes/")
    assert page.goto(url).status == 200
    promote = page.locator("details.promote summary")
    if promote.count():
        promote.first.click()
        assert page.locator("details.promote input[name=name_ar]").first.is_visible()
    shot(page, f"themes-{lang}-desktop")
    assert page.goto(url + "?source=survey").status == 200
    shot(page, f"themes-survey-{lang}-desktop")
