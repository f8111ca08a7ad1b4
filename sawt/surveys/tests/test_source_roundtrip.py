"""The round trip of issue 12: a definition imported from the XLSForm example and the
responses of that form exported by KoboToolbox (XLSX with a repeat-group sheet, and CSV) or ODK
Central give the same summary as the same responses in sawt's own format."""

import datetime as dt
import zoneinfo

import pytest

from sawt.metrics.selectors import journey_summary
from sawt.surveys.importers.tools import ToolTarget
from sawt.surveys.models import Response
from sawt.surveys.services import responses_import, survey_definition_import
from sawt.surveys.tests.sources_helpers import EXAMPLES, everything_stored, stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
RIYADH = zoneinfo.ZoneInfo("Asia/Riyadh")
TARGET = ToolTarget(journey="contractors", period="2022-07", survey="cx-2022-07", agency="mc")
LATE = "القوائم المالية لا تظهر في النظام رغم أننا رفعناها في منصة قوائم"
# The five responses of the examples, as sawt's own format writes them.
SAWT_FORMAT = f"""\
respondent_id,submitted_at,overall,reach_effort,navigate_effort,levels_clarity,\
credit_evaluation,technical_evaluation,time_to_service,main_reason
R-0701,2022-07-03 09:15,4,4,3,4,3,4,4,
R-0702,2022-07-03 11:40,5,5,4,5,4,5,4,
R-0703,2022-07-04 00:00,3,3,3,3,2,3,2,{LATE}
R-0704,2022-07-05 16:02,2,,3,2,1,3,1,الطلب متأخر عن المدة المعلنة ولم يتواصل معنا أحد
R-0705,2022-07-07 08:30,4,4,3,4,4,4,4,
"""


def imported(path, source: str) -> tuple[list, dict]:
    """What a file stored, without its ids (each tool has its own), and the summary."""
    Response.objects.all().delete()
    result = responses_import(survey_code=TARGET.survey, path=path, source=source)
    assert (result.rows, result.created) == (5, 5)
    found = sorted(
        ((r["submitted_at"], sorted(r["answers"].items())) for r in stored().values()),
        key=repr,
    )
    return found, journey_summary(journey_slug=TARGET.journey, period=TARGET.period)


@pytest.fixture
def expected(tmp_path):
    survey_definition_import(
        path=EXAMPLES / "xlsform-contractors.xlsx", source="xlsform", target=TARGET
    )
    own = tmp_path / "responses.csv"
    own.write_text(SAWT_FORMAT, encoding="utf-8")
    return imported(own, "sawt")


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("responses-kobo.xlsx", "kobo"),
        ("responses-kobo.csv", "kobo"),
        ("responses-odk.csv", "odk"),
    ],
)
def test_xlsform_definition_and_tool_export_give_sawts_own_summary(expected, name, source):
    found = imported(EXAMPLES / name, source)
    assert found == expected
    # Kobo's and ODK's UTC times are the same instants as sawt's local ones.
    assert dt.datetime(2022, 7, 3, 9, 15, tzinfo=RIYADH) in [when for when, _ in found[0]]
    # The geopoint, device and submission metadata never land anywhere.
    text = everything_stored()
    for leak in ("24.7136", "46.6753", "collect:", "kobotoolbox", "enumerator-01", "uuid:"):
        assert leak not in text
