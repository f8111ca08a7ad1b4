"""The survey page: its sample, the funnel (bars, the table by channel and stratum, failures),
the invitation settings, scoping, and the send form, shown and accepted only for those who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sawt.core.access import Role
from sawt.distribution.models import InvitationSettings, SampleDraw
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db
SEND = "survey.invitations_send"


def _invite(survey, channel, stratum, state, reason="", times=()):
    now = timezone.now() - dt.timedelta(hours=1)
    invitee = f.InviteeFactory(survey=survey, stratum=stratum)
    return f.InvitationFactory(
        invitee=invitee,
        channel=channel,
        state=state,
        failure_reason=reason,
        **{f"{t}_at": now for t in times},
    )


@pytest.fixture
def survey():
    agency = f.AgencyFactory(code="city-operators")
    journey = f.JourneyFactory(slug="permits", name_en="Permits", agency=agency)
    survey = f.SurveyFactory(
        code="permits-2022-06", journey=journey, sample_size=None, sample_size_by_hand=False
    )
    SampleDraw.objects.create(
        survey=survey, population=900, drawn=8, seed=20220601, strata="region"
    )
    _invite(survey, "sms", "riyadh", "completed", times=("sent", "opened", "completed"))
    _invite(survey, "sms", "riyadh", "failed", reason="rejected", times=("failed",))
    _invite(survey, "sms", "jeddah", "sent", times=("sent",))
    _invite(survey, "email", "jeddah", "opened", times=("sent", "opened"))
    _invite(survey, "email", "jeddah", "expired", times=("sent",))
    f.InviteeFactory(survey=survey, stratum="jeddah", mobile="+966512345678")
    return survey


def _as(client, role, agency=None):
    client.force_login(f.user_with_role(role, agency=agency))
    return client


@pytest.fixture
def may_send():
    """The roles the access policy lets send invitations."""
    from sawt.core import access

    return access.ALLOWED[SEND]


def test_the_page_shows_the_sample_and_the_funnel(survey, client):
    client.cookies["django_language"] = "en"
    response = _as(client, Role.VIEWER).get("/surveys/permits-2022-06/")
    assert response.status_code == 200
    html = response.content.decode()
    # The draw: population, drawn, seed, strata.
    for text in ("900", "20220601", "region"):
        assert text in html
    funnel = response.context["funnel"]
    assert (funnel["invited"], funnel["sent"], funnel["opened"], funnel["completed"]) == (
        5,
        4,
        2,
        1,
    )
    # Five bars, each with its count beside it, as text.
    chart = html.split('<ol class="funnel"')[1].split("</ol>")[0]
    assert chart.count("<svg") == 5 and chart.count('data-stage="') == 5
    assert "<b>4</b>" in chart
    # The table by channel and by stratum.
    table = html.split('class="stack-table funnel-table"')[1].split("</table>")[0]
    for label in ("SMS", "e-mail", "By \u2068region\u2069", "riyadh", "jeddah"):
        assert label in table
    assert "refused by the gateway or mail server <b>1</b>" in html
    # Contacts are never listed: counts only.
    assert "+966512345678" not in html and "+9665" not in html


def test_the_page_of_an_imported_survey_says_nobody_was_invited(client):
    survey = f.SurveyFactory(code="imported-2022-06")
    f.ResponseFactory(survey=survey)
    response = _as(client, Role.ANALYST).get("/surveys/imported-2022-06/")
    assert response.status_code == 200
    assert response.context["funnel"] is None
    assert 'class="funnel"' not in response.content.decode()


def test_the_settings_show_the_defaults_until_set_then_the_survey_s_own(survey, client):
    response = _as(client, Role.ANALYST).get("/surveys/permits-2022-06/")
    assert response.context["settings_saved"] is False
    assert response.context["settings"].valid_days == 14
    InvitationSettings.objects.create(survey=survey, valid_days=5, max_reminders=1)
    response = client.get("/surveys/permits-2022-06/")
    assert response.context["settings_saved"] is True
    assert response.context["settings"].valid_days == 5


def test_another_agency_s_survey_is_a_404(survey, client):
    own = f.AgencyFactory(code="urban-planning")
    assert _as(client, Role.AGENCY_MEMBER, own).get("/surveys/permits-2022-06/").status_code == 404
    assert client.get("/surveys/no-such-survey/").status_code == 404


def test_its_own_agency_sees_it(survey, client):
    agency = survey.journey.agency
    assert (
        _as(client, Role.AGENCY_MEMBER, agency).get("/surveys/permits-2022-06/").status_code == 200
    )


def test_signed_out_people_are_sent_to_log_in(survey, client):
    response = client.get("/surveys/permits-2022-06/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", list(Role))
def test_the_send_form_only_for_roles_that_may(survey, client, may_send, role):
    agency = survey.journey.agency if role == Role.AGENCY_MEMBER else None
    html = _as(client, role, agency).get("/surveys/permits-2022-06/").content.decode()
    shown = 'action="/surveys/permits-2022-06/invitations/"' in html
    assert shown == (role in may_send)


def test_the_form_calls_the_service_and_redirects(survey, client, may_send, monkeypatch):
    calls = []

    def invitations_send(*, survey, channel=None, limit=None, actor):
        calls.append((survey.code, channel, limit, actor.username))
        return 2

    monkeypatch.setattr("sawt.web.views.surveys.invitations_send", invitations_send)
    user = f.user_with_role(Role.ADMINISTRATOR)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/surveys/permits-2022-06/invitations/", {"channel": "sms", "limit": "2"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/surveys/permits-2022-06/"
    assert calls == [("permits-2022-06", "sms", 2, user.username)]
    page = client.get(response["Location"]).content.decode()
    assert "2 invitations were queued; they are sent in the background." in page


def test_the_form_queues_invitations_through_the_real_service(survey, client):
    """The sampled person not yet invited gets one invitation, queued for delivery; a second
    press finds nobody left and says so."""
    from sawt.distribution.models import Invitation
    from sawt.jobs.models import Job

    client.cookies["django_language"] = "en"
    _as(client, Role.ANALYST)
    response = client.post("/surveys/permits-2022-06/invitations/", {"channel": "sms"})
    assert response.status_code == 303
    assert Invitation.objects.filter(invitee__survey=survey).count() == 6
    assert Invitation.objects.filter(state="queued", channel="sms").count() == 1
    assert Job.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "1 invitation was queued; it is sent in the background." in page
    response = client.post("/surveys/permits-2022-06/invitations/", {}, follow=True)
    assert "Nobody was left to invite" in response.content.decode()
    assert Invitation.objects.filter(invitee__survey=survey).count() == 6


def test_a_viewer_s_post_is_refused(survey, client, may_send, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "sawt.web.views.surveys.invitations_send",
        lambda **kw: calls.append(kw) or 1,
    )
    response = _as(client, Role.VIEWER).post("/surveys/permits-2022-06/invitations/", {})
    assert response.status_code == 403
    assert calls == []


def test_another_agency_s_post_is_a_404(survey, client, may_send):
    other = f.AgencyFactory(code="urban-planning")
    response = _as(client, Role.AGENCY_MEMBER, other).post(
        "/surveys/permits-2022-06/invitations/", {}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("bad", [{"limit": "0"}, {"limit": "many"}, {"channel": "fax"}])
def test_a_malformed_form_is_a_400_and_queues_nothing(survey, client, may_send, monkeypatch, bad):
    calls = []
    monkeypatch.setattr(
        "sawt.web.views.surveys.invitations_send",
        lambda **kw: calls.append(kw) or 1,
    )
    response = _as(client, Role.ADMINISTRATOR).post("/surveys/permits-2022-06/invitations/", bad)
    assert response.status_code == 400
    assert calls == []


def test_the_page_reads_in_a_bounded_number_of_queries(
    survey, client, django_assert_max_num_queries
):
    _as(client, Role.ANALYST).get("/surveys/permits-2022-06/")
    with django_assert_max_num_queries(12):
        client.get("/surveys/permits-2022-06/")
    for i in range(40):
        _invite(survey, ("sms", "email")[i % 2], f"s{i % 5}", "sent", times=("sent",))
    with django_assert_max_num_queries(12):
        assert client.get("/surveys/permits-2022-06/").status_code == 200


def test_an_imported_survey_offers_no_send_form(client, may_send):
    survey = f.SurveyFactory(code="imported-2022-06")
    html = _as(client, Role.ADMINISTRATOR).get(f"/surveys/{survey.code}/").content.decode()
    assert "/invitations/" not in html


def test_the_journey_page_and_the_portfolio_link_to_the_survey(survey, client):
    f.QuestionFactory(survey=survey, code="overall", kind="overall")
    _as(client, Role.VIEWER)
    journey = client.get("/journeys/permits/2022-06/").content.decode()
    assert 'href="/surveys/permits-2022-06/"' in journey
    portfolio = client.get("/periods/2022-06/").content.decode()
    assert 'href="/surveys/permits-2022-06/"' in portfolio


def test_a_refusal_of_the_service_is_a_400_with_its_message(survey, client):
    from sawt.distribution.models import Invitation

    InvitationSettings.objects.create(survey=survey, closes_on=dt.date(2022, 7, 1))
    client.cookies["django_language"] = "en"
    response = _as(client, Role.ANALYST).post("/surveys/permits-2022-06/invitations/", {})
    assert response.status_code == 400
    assert "The survey closed on 2022-07-01" in response.content.decode()
    assert Invitation.objects.filter(invitee__survey=survey).count() == 5
