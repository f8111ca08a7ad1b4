"""A gap's history names a recommendation by its place on the page, never by a database id."""

import pytest

from sawt.core.access import Role
from sawt.gaps.choices import RecommendationStatus as S
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


def test_history_names_the_second_recommendation_2_not_its_id(client):
    agency = f.AgencyFactory()
    # Recommendations of other gaps first, so the ids run far from the positions.
    for _ in range(8):
        f.RecommendationFactory(owner=agency)
    gap = f.GapFactory(journey=f.JourneyFactory(agency=agency), number=3)
    f.RecommendationFactory(gap=gap, owner=agency)
    second = f.RecommendationFactory(gap=gap, owner=agency)
    assert second.pk > 2
    client.force_login(f.user_with_role(Role.ANALYST))
    client.cookies["django_language"] = "en"
    moved = client.post(
        f"/gaps/{gap.pk}/recommendations/{second.pk}/move/",
        {"to_status": S.APPROVED, "expected_status": S.PROPOSED, "version": 1},
    )
    assert moved.status_code == 302
    html = client.get(f"/gaps/{gap.pk}/").content.decode()
    assert "recommendation 2: proposed → approved" in html
    assert f"recommendation {second.pk}" not in html
    assert "Recommendation 2</p>" in html  # the card carries the same number
