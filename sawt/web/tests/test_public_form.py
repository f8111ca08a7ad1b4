"""The public form at /s/<token>/: every state of a link, the plain-HTML form (no JavaScript),
saving for later and coming back, one completion per link, the honeypot, the rate limit on
bad links only, the anonymous link, the opt-out, and the language switch."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from sawt.distribution.choices import InvitationState
from sawt.distribution.contacts import contact_hash
from sawt.distribution.links import token_hash, token_new
from sawt.distribution.models import (
    FormRateCount,
    Invitation,
    InvitationMessage,
    InvitationSettings,
    OptOut,
)
from sawt.distribution.services.optouts import is_opted_out
from sawt.metrics.selectors import journey_summary
from sawt.surveys.models import Answer, Response
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    """Two stages (in order), an overall item, an effort item, an open question."""
    journey = f.JourneyFactory(slug="permits", name_ar="رخص البناء", name_en="Building permits")
    apply = f.StageFactory(journey=journey, code="apply", name_ar="التقديم", name_en="Applying")
    receive = f.StageFactory(
        journey=journey, code="receive", name_ar="الاستلام", name_en="Receiving"
    )
    survey = f.SurveyFactory(journey=journey, code="permits-2022-06", period="2022-06")
    f.QuestionFactory(survey=survey, code="overall", kind="overall", position=0)
    f.QuestionFactory(survey=survey, code="e1", kind="effort", stage=receive, position=2)
    f.QuestionFactory(survey=survey, code="s1", stage=apply, position=1)
    f.QuestionFactory(
        survey=survey,
        code="t1",
        kind="text",
        scale_min=None,
        scale_max=None,
        position=3,
        text_ar="ما الذي يمكن تحسينه؟",
        text_en="What could be improved?",
    )
    return survey


def invite(survey, **invitee) -> tuple[Invitation, str]:
    """An invitation of `survey` with one message; its link's token."""
    invitation = f.InvitationFactory(
        invitee__survey=survey,
        invitee__attributes=invitee.pop("attributes", {"region": "الرياض"}),
        state=invitee.pop("state", InvitationState.SENT),
        **{f"invitee__{k}": v for k, v in invitee.items() if k != "expires_at"},
        **({"expires_at": invitee["expires_at"]} if "expires_at" in invitee else {}),
    )
    token = token_new()
    InvitationMessage.objects.create(
        invitation=invitation, kind="invitation", channel="sms", token_hash=token_hash(token)
    )
    return invitation, token


@pytest.fixture
def link(survey):
    return invite(survey, reference_id="REQ-1001")


def _html(response) -> str:
    return response.content.decode()


def _summary():
    return journey_summary(journey_slug="permits", period="2022-06")


# --- the form ----------------------------------------------------------------------------------


def test_the_form_is_arabic_and_named_by_question_codes(client, link):
    invitation, token = link
    response = client.get(f"/s/{token}/")
    html = _html(response)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    assert response["Content-Language"] == "ar"
    # Radio groups named by code, one per score, worded at both ends.
    assert len(re.findall(r'type="radio" name="overall" value="\d"', html)) == 5
    assert 'name="s1" value="1"' in html and 'name="e1" value="5"' in html
    assert "غير راضٍ إطلاقاً" in html and "راضٍ جداً" in html
    assert "جهد كبير جداً" in html and "جهد قليل جداً" in html  # the effort item's words
    assert '<textarea id="q-t1" name="t1"' in html
    assert 'name="overall__why"' in html  # shown without JavaScript
    # Stages in their order, as headings, then the overall view, then the open question.
    order = [html.index(h) for h in ("التقديم</h2>", "الاستلام</h2>", "بشكل عام</h2>")]
    assert order == sorted(order) and html.index("بشكل عام</h2>") < html.index('name="t1"')
    assert "<fieldset" in html and "<legend" in html
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.OPENED and invitation.opened_at is not None


def test_a_second_look_writes_nothing(client, link):
    invitation, token = link
    client.get(f"/s/{token}/")
    invitation.refresh_from_db()
    opened = invitation.opened_at
    client.get(f"/s/{token}/")
    invitation.refresh_from_db()
    assert invitation.opened_at == opened and invitation.state == InvitationState.OPENED


def test_english_by_the_switch_and_by_the_invitation(client, survey, link):
    _, token = link
    html = _html(client.get(f"/s/{token}/?lang=en"))
    assert '<html lang="en" dir="ltr">' in html and "Not at all satisfied" in html
    assert f'action="/s/{token}/?lang=en"' in html  # the choice holds through the post
    assert 'href="?lang=ar"' in html  # and back
    _, english = invite(survey, language="en")
    assert '<html lang="en"' in _html(client.get(f"/s/{english}/"))
    assert '<html lang="ar"' in _html(client.get(f"/s/{english}/?lang=ar"))
    # A value that is no language is ignored, never an error.
    assert client.get(f"/s/{token}/?lang=xx").status_code == 200


def test_sending_the_form_without_javascript(client, survey, link):
    invitation, token = link
    before = _summary()["sample"]["responses"]
    response = client.post(
        f"/s/{token}/",
        {"overall": "2", "overall__why": "انتظرت ثلاث ساعات", "s1": "4", "e1": "5", "t1": ""},
    )
    assert response.status_code == 303 and response["Location"] == f"/s/{token}/"
    summary = _summary()
    assert summary["sample"]["responses"] == before + 1
    assert summary["overall"]["n"] == 1 and summary["overall"]["distribution"]["2"] == 1
    stored = Response.objects.get(survey=survey)
    assert stored.respondent_id == "REQ-1001" and stored.attributes == {"region": "الرياض"}
    overall = Answer.objects.get(response=stored, question__code="overall")
    assert (overall.score, overall.text) == (2, "انتظرت ثلاث ساعات")
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.COMPLETED and invitation.response == stored
    assert invitation.completed_at == stored.submitted_at and invitation.draft == {}
    # The same link again says it is answered.
    again = client.get(f"/s/{token}/")
    assert again.status_code == 200 and "تم استلام إجاباتك" in _html(again)


def test_a_second_submission_changes_nothing(client, link):
    _, token = link
    client.post(f"/s/{token}/", {"overall": "5"})
    counts = _summary()["overall"]["distribution"]
    response = client.post(f"/s/{token}/", {"overall": "1", "t1": "تغيير"})
    assert response.status_code == 409 and "تم استلام إجاباتك" in _html(response)
    assert _summary()["overall"]["distribution"] == counts
    assert Response.objects.count() == 1 and Answer.objects.count() == 1


def test_saving_for_later_and_coming_back(client, link):
    invitation, token = link
    client.get(f"/s/{token}/")
    response = client.post(
        f"/s/{token}/", {"partial": "1", "s1": "3", "t1": "رقمي 0501234567 للتواصل"}
    )
    assert response.status_code == 200 and 'role="status"' in _html(response)
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.STARTED and invitation.started_at is not None
    assert invitation.draft["s1"] == "3" and "0501234567" not in invitation.draft["t1"]
    assert not Response.objects.exists()
    html = _html(client.get(f"/s/{token}/"))
    assert re.search(r'name="s1" value="3"[^>]*checked', html)
    assert "للتواصل</textarea>" in html
    assert "<bdi data-answered>2</bdi>" in html  # the progress: 2 of 4
    client.post(f"/s/{token}/", {"s1": "3", "overall": "4"})
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.COMPLETED and invitation.draft == {}


def test_a_partial_save_from_the_script_answers_json(client, link):
    invitation, token = link
    response = client.post(
        f"/s/{token}/", {"partial": "1", "overall": "4", "e1": "9"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200 and response.json() == {"saved": True, "answers": 1}
    invitation.refresh_from_db()
    assert invitation.draft == {"overall": "4"}  # what the import's checks refuse is not kept


def test_csrf_holds_for_the_anonymous_form(link):
    _, token = link
    client = Client(enforce_csrf_checks=True)
    refused = client.post(f"/s/{token}/", {"partial": "1", "overall": "4"})
    # The form's own page, in Arabic, saying what to do: not Django's English one.
    assert refused.status_code == 403 and "تعذّر إرسال هذا النموذج" in _html(refused)
    assert "CSRF" not in _html(refused) and 'class="top"' not in _html(refused)
    page = _html(client.get(f"/s/{token}/"))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/s/{token}/",
        {"partial": "1", "overall": "4", "csrfmiddlewaretoken": csrf},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200 and response.json()["saved"] is True


def test_a_refused_answer_is_shown_at_its_field_and_nothing_is_stored(client, link):
    invitation, token = link
    response = client.post(f"/s/{token}/?lang=en", {"overall": "9", "s1": "4", "t1": "نص"})
    html = _html(response)
    assert response.status_code == 400
    assert "9 is outside this question&#x27;s scale, 1 to 5." in html
    assert 'id="e-overall"' in html and 'aria-describedby="e-overall"' in html
    assert 'href="#q-overall"' in html  # the summary at the top leads to the field
    assert re.search(r'name="s1" value="4"[^>]*checked', html)  # nothing typed is lost
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.SENT


def test_every_id_on_the_form_is_unique_and_every_field_has_a_label(client, link):
    _, token = link
    long = "x" * 5000 + "\x00"  # two errors on one field: too long, and a NUL
    html = _html(client.post(f"/s/{token}/", {"overall": "9", "t1": long, "e1__why": long}))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for box in re.findall(r'<textarea id="([^"]+)"', html):
        assert f'<label for="{box}"' in html or f'for="{box}"' in html, box
    assert html.count("<fieldset") == html.count("<legend") == 3


def test_a_reason_without_its_score_is_refused_at_the_reason(client, link):
    _, token = link
    response = client.post(f"/s/{token}/", {"s1": "4", "overall__why": "لم يرد أحد"})
    assert response.status_code == 400 and 'aria-describedby="e-overall"' in _html(response)
    assert not Response.objects.exists()


def test_an_empty_form_is_not_a_response(client, link):
    _, token = link
    response = client.post(f"/s/{token}/?lang=en", {"t1": "  "})
    assert response.status_code == 400
    assert "Answer at least one question before sending." in _html(response)
    assert not Response.objects.exists()


# --- links that do not open the form ------------------------------------------------------------


def test_an_unknown_link_is_a_clear_404(client):
    response = client.get(f"/s/{token_new()}/")
    assert response.status_code == 404 and "لا يؤدي إلى استبيان" in _html(response)
    assert client.get("/s/" + "x" * 10_000 + "/").status_code == 404
    assert client.post(f"/s/{token_new()}/", {"overall": "4"}).status_code == 404


def test_an_expired_link_is_410_and_saves_nothing(client, survey):
    _, token = invite(survey, expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(f"/s/{token}/?lang=en")
    assert response.status_code == 410 and "This link has expired" in _html(response)
    assert client.post(f"/s/{token}/", {"overall": "4"}).status_code == 410
    assert not Response.objects.exists()
    _, marked = invite(survey, state=InvitationState.EXPIRED)
    assert client.get(f"/s/{marked}/").status_code == 410


def test_an_opted_out_link_is_410(client, survey):
    _, token = invite(survey, state=InvitationState.OPTED_OUT)
    response = client.get(f"/s/{token}/?lang=en")
    assert response.status_code == 410 and "You have opted out" in _html(response)


def test_a_closed_survey_takes_no_answers(client, survey, link):
    _, token = link
    InvitationSettings.objects.create(
        survey=survey, closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    response = client.post(f"/s/{token}/?lang=en", {"overall": "4"})
    assert response.status_code == 410 and "This survey has closed" in _html(response)
    assert not Response.objects.exists()


def test_the_honeypot_stores_nothing(client, link):
    invitation, token = link
    response = client.post(f"/s/{token}/", {"overall": "4", "website": "http://spam.example"})
    assert response.status_code == 400
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.SENT
    assert FormRateCount.objects.get().hits == 1  # a bot's request counts


def test_hostile_values_are_never_a_server_error(client, link):
    _, token = link
    client.raise_request_exception = True
    for value in ["²", "\x00", "x" * 10_000, ["1", "2"], "-1", "99999999999999999999"]:
        for name in ("overall", "t1", "overall__why", "partial", "website"):
            status = client.post(f"/s/{token}/", {name: value}).status_code
            assert status in (303, 200, 400, 409), (name, value, status)
    for part in ["²", "٣", "%00", "x" * 500]:
        assert client.get(f"/s/{part}/").status_code in (404, 429)
        assert client.get(f"/s/open/{part}/").status_code in (404, 429)


# --- the rate limit: bad links and the anonymous link, never a person's own link ----------------


@override_settings(SAWT_FORM_RATE_LIMIT=(3, 600))
def test_bad_links_are_limited_per_address_and_valid_links_never(client, survey, link):
    _, token = link
    _, expired = invite(survey, expires_at=timezone.now() - dt.timedelta(days=1))
    statuses = [client.get(f"/s/{token_new()}/").status_code for _ in range(2)]
    statuses.append(client.get(f"/s/{expired}/").status_code)
    statuses.append(client.get(f"/s/{token_new()}/").status_code)
    assert statuses == [404, 404, 410, 429]
    limited = client.get(f"/s/{token_new()}/?lang=en")
    assert limited.status_code == 429 and "Too many attempts" in _html(limited)
    assert limited["Retry-After"]
    # The same address with its own valid link is never limited, however often it comes.
    for _ in range(10):
        assert client.get(f"/s/{token}/").status_code == 200
        assert client.post(f"/s/{token}/", {"partial": "1", "s1": "2"}).status_code == 200
    assert client.post(f"/s/{token}/", {"overall": "4"}).status_code == 303
    # Another address has its own count.
    assert client.get(f"/s/{token_new()}/", REMOTE_ADDR="10.1.2.3").status_code == 404


@override_settings(SAWT_FORM_RATE_LIMIT=(3, 600))
def test_valid_links_do_not_count(client, link):
    _, token = link
    for _ in range(10):
        client.get(f"/s/{token}/")
    assert not FormRateCount.objects.exists()
    assert client.get(f"/s/{token_new()}/").status_code == 404


@override_settings(SAWT_FORM_RATE_LIMIT=(2, 600), SAWT_BEHIND_PROXY=True, SAWT_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_counted(client):
    def guess(address):
        return client.get(f"/s/{token_new()}/", HTTP_X_FORWARDED_FOR=address).status_code

    assert [guess("203.0.113.5") for _ in range(3)] == [404, 404, 429]
    assert guess("203.0.113.6") == 404  # the proxy's own address is not what is counted


@override_settings(SAWT_FORM_RATE_LIMIT=None)
def test_the_limit_can_be_turned_off(client):
    assert all(client.get(f"/s/{token_new()}/").status_code == 404 for _ in range(40))
    assert not FormRateCount.objects.exists()


# --- the anonymous link --------------------------------------------------------------------------


def test_the_anonymous_link_is_off_by_default(client, survey):
    assert client.get("/s/open/permits-2022-06/").status_code == 404
    InvitationSettings.objects.create(survey=survey)
    assert client.get("/s/open/permits-2022-06/").status_code == 404
    assert client.post("/s/open/permits-2022-06/", {"overall": "4"}).status_code == 404
    assert not Response.objects.exists()


def _open_key(client) -> str:
    html = _html(client.get("/s/open/permits-2022-06/"))
    assert 'data-autosave="1"' not in html and 'name="partial"' not in html
    return re.search(r'name="form_key" value="([^"]+)"', html).group(1)


def test_each_anonymous_form_is_a_new_respondent_stored_once(client, survey):
    InvitationSettings.objects.create(survey=survey, open_link=True)
    first, second = _open_key(client), _open_key(client)
    for key in (first, first, second):
        response = client.post("/s/open/permits-2022-06/", {"form_key": key, "overall": "5"})
        assert response.status_code == 200 and "تم استلام إجاباتك" in _html(response)
    ids = sorted(Response.objects.values_list("respondent_id", flat=True))
    assert len(ids) == 2 and all(i.startswith("open-") for i in ids)
    assert _summary()["overall"]["n"] == 2


def test_an_anonymous_form_cannot_choose_its_respondent(client, survey):
    InvitationSettings.objects.create(survey=survey, open_link=True)
    for key in ("REQ-1001", "", _open_key(client) + "x"):
        response = client.post("/s/open/permits-2022-06/", {"form_key": key, "overall": "5"})
        assert response.status_code == 400
    assert not Response.objects.exists()


@override_settings(SAWT_FORM_RATE_LIMIT=(2, 600))
def test_the_anonymous_link_is_rate_limited(client, survey):
    InvitationSettings.objects.create(survey=survey, open_link=True)
    statuses = [
        client.post(
            "/s/open/permits-2022-06/", {"form_key": _open_key(client), "overall": "5"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Response.objects.count() == 2


# --- opting out from the link ---------------------------------------------------------------------


def test_stopping_messages_from_the_link(client, survey):
    mobile, email = "+966501234567", "someone@example.com"
    invitation, token = invite(
        survey,
        mobile=mobile,
        mobile_hash=contact_hash(mobile),
        email=email,
        email_hash=contact_hash(email),
    )
    page = client.get(f"/s/{token}/stop/")
    assert page.status_code == 200 and 'method="post"' in _html(page)
    assert not OptOut.objects.exists()  # a look is not a request
    response = client.post(f"/s/{token}/stop/?lang=en")
    assert response.status_code == 200 and "You will not be contacted again" in _html(response)
    assert OptOut.objects.count() == 2
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.OPTED_OUT
    assert client.get(f"/s/{token}/").status_code == 410
    assert is_opted_out(contact_hash(mobile)) and is_opted_out(contact_hash(email))
    assert client.get(f"/s/{token_new()}/stop/").status_code == 404


def test_stopping_from_a_link_whose_contacts_were_erased(client, survey):
    invitation, token = invite(survey, mobile="", contacts_erased_at=timezone.now())
    assert client.post(f"/s/{token}/stop/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.OPTED_OUT and not OptOut.objects.exists()
