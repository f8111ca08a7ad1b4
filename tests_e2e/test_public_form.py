"""The public survey form in a phone's browser, on the served demo: at 360 px a person opens
their link, answers half, leaves, comes back (a fresh browser: the answers come from the
server), finishes; the summary counts them, and the same link then says it is answered.

The invitation and its link are made in the served database through `sawt shell` (no sending
involved), for the demo's June survey."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests_e2e.conftest import orm, sawt, shot

pytestmark = pytest.mark.e2e

NARROW = {"width": 360, "height": 780}
SURVEY = "cc-2022-06"
# Everything that sticks out of the viewport, as test_narrow_screens reads it.
_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# The Content-Security-Policy's refusals, as test_csp collects them.
_LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _invite(env: dict[str, str], reference: str, language: str = "ar") -> dict[str, Any]:
    """A sent invitation of the demo survey; its token and its scored and open question codes."""
    code = (
        "import json, datetime as dt; from django.utils import timezone; "
        "from sawt.surveys.models import Survey; "
        "from sawt.distribution.models import Invitee, Invitation, InvitationMessage; "
        "from sawt.distribution.contacts import contact_hash; "
        "from sawt.distribution.links import token_new, token_hash; "
        f"s = Survey.objects.get(code='{SURVEY}'); "
        f"mobile = '+9665' + str(abs(hash('{reference}')))[:8].rjust(8, '0'); "
        f"i = Invitee.objects.create(survey=s, reference_id='{reference}', mobile=mobile, "
        f"mobile_hash=contact_hash(mobile), language='{language}', "
        "attributes={'region': 'الرياض'}); "
        "inv = Invitation.objects.create(invitee=i, channel='sms', state='sent', "
        "sent_at=timezone.now(), expires_at=timezone.now() + dt.timedelta(days=7)); "
        "t = token_new(); "
        "InvitationMessage.objects.create(invitation=inv, kind='invitation', channel='sms', "
        "token_hash=token_hash(t)); "
        "q = s.questions.order_by('position', 'id'); "
        "print(json.dumps({'token': t, "
        "'scored': list(q.exclude(kind='text').values_list('code', flat=True)), "
        "'open': list(q.filter(kind='text').values_list('code', flat=True))}))"
    )
    return orm(env, code)


def _state(env: dict[str, str], reference: str) -> list[Any]:
    code = (
        "import json; from sawt.distribution.models import Invitation; "
        f"i = Invitation.objects.get(invitee__reference_id='{reference}'); "
        "print(json.dumps([i.state, i.draft, i.response.respondent_id if i.response else None]))"
    )
    return orm(env, code)


def _responses(env: dict[str, str]) -> int:
    out = sawt(
        env,
        "summary",
        "--journey",
        "contractor-classification",
        "--period",
        "2022-06",
        "--format",
        "json",
    )
    return int(json.loads(out)["sample"]["responses"])


def _fits(page: Any) -> None:
    assert page.evaluate(_OVERFLOW) <= 0, "the form is wider than the phone"


def test_answer_half_leave_come_back_finish_at_360_px(browser, server, sawt_env):
    link = _invite(sawt_env, "E2E-FORM-1")
    url = f"/s/{link['token']}/"
    scored = link["scored"]
    half = scored[: len(scored) // 2]
    before = _responses(sawt_env)

    first = browser.new_context(base_url=server, viewport=NARROW)
    first.set_default_timeout(15_000)
    page = first.new_page()
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("dir") == "rtl"
    _fits(page)
    # The "what went wrong?" boxes wait for a low score; the progress starts at nothing.
    assert page.locator("[data-why]:visible").count() == 0
    assert page.locator("[data-answered]").inner_text() == "0"
    for code in half:
        with page.expect_response(lambda r: r.request.method == "POST") as saved:
            page.locator(f'input[name="{code}"][value="4"]').check()
        assert saved.value.ok
    assert page.locator("[data-answered]").inner_text() == str(len(half))
    shot(page, "public-form-half-360")
    first.close()  # leaves: no cookie or page state survives

    state, draft, _ = _state(sawt_env, "E2E-FORM-1")
    assert state == "started" and draft == {code: "4" for code in half}

    again = browser.new_context(base_url=server, viewport=NARROW)
    again.set_default_timeout(15_000)
    again.add_init_script(_LISTEN)
    page = again.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    for code in half:
        assert page.locator(f'input[name="{code}"][value="4"]').is_checked(), code
    assert page.locator("[data-answered]").inner_text() == str(len(half))
    rest = scored[len(half) :]
    for code in rest[:-1]:
        page.locator(f'input[name="{code}"][value="5"]').check()
    # A low score brings its "what went wrong?" box; what is typed there is kept with it.
    low = rest[-1]
    page.locator(f'input[name="{low}"][value="2"]').check()
    why = page.locator(f'textarea[name="{low}__why"]')
    assert why.is_visible()
    why.fill("انتظرت أسبوعين دون رد")
    for code in link["open"]:
        page.locator(f'textarea[name="{code}"]').fill("الخدمة جيدة لكن المتابعة بطيئة")
    _fits(page)
    # The script ran under the Content-Security-Policy without a refusal or an error.
    assert page.evaluate("window.__csp") == [] and errors == []
    page.get_by_role("button", name="أرسل إجاباتي").click()
    page.wait_for_load_state()
    assert "تم استلام إجاباتك" in page.locator("h1").inner_text()
    shot(page, "public-form-done-360")

    assert _responses(sawt_env) == before + 1
    state, draft, respondent = _state(sawt_env, "E2E-FORM-1")
    assert (state, draft, respondent) == ("completed", {}, "E2E-FORM-1")

    # The same link again says it is answered, and offers no form.
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert "تم استلام إجاباتك" in page.locator("h1").inner_text()
    assert page.locator("form#survey-form").count() == 0
    again.close()


def test_the_form_in_english_fits_a_phone_and_works_without_javascript(browser, server, sawt_env):
    link = _invite(sawt_env, "E2E-FORM-2", language="en")
    context = browser.new_context(base_url=server, viewport=NARROW, java_script_enabled=False)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(f"/s/{link['token']}/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("[data-why]:visible").count() == len(link["scored"])
        _fits(page)
        shot(page, "public-form-en-nojs-360")
        page.get_by_role("link", name="العربية").click()
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert re.search(r"\?lang=ar$", page.url)
        _fits(page)
        page.locator(f'input[name="{link["scored"][0]}"][value="3"]').check()
        page.get_by_role("button", name="احفظ وأكمل لاحقاً").click()
        page.wait_for_load_state()
        assert page.locator(".notice").is_visible()
        assert _state(sawt_env, "E2E-FORM-2")[:2] == ["started", {link["scored"][0]: "3"}]
    finally:
        context.close()
