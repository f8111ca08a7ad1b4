"""The register's filters read only the recommendations the person can see.

An agency sees another journey's gap when it owns a decision on it, but not the other
decisions on that gap: filtering by status or by owner agency must not reveal them either.
"""

import pytest
from django.test import Client

from sawt.core.access import Role
from sawt.gaps.choices import RecommendationStatus as S
from sawt.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_gap():
    """A gap of the ministry's journey with two decisions: ours (proposed), theirs (rejected)."""
    ours, theirs = f.AgencyFactory(code="ours"), f.AgencyFactory(code="theirs")
    ministry = f.AgencyFactory(code="ministry")
    gap = f.GapFactory(journey=f.JourneyFactory(slug="qawaem", agency=ministry), number=7)
    f.RecommendationFactory(gap=gap, owner=ours, status=S.PROPOSED)
    f.RecommendationFactory(gap=gap, owner=theirs, status=S.REJECTED, text_ar="قرار مخفي")
    client = Client()
    client.force_login(f.user_with_role(Role.AGENCY_MEMBER, agency=ours, username="saad"))
    return gap, client


def _listed(shared_gap, query: str) -> bool:
    gap, client = shared_gap
    response = client.get(f"/gaps/?{query}")
    assert response.status_code == 200
    return gap in response.context["page"].object_list


def test_the_gap_is_listed_for_the_agency_that_owns_a_decision_on_it(shared_gap):
    assert _listed(shared_gap, "status=proposed")
    assert _listed(shared_gap, "agency=ours")


def test_the_status_filter_does_not_reveal_a_hidden_recommendations_status(shared_gap):
    # Only the other agency's decision is rejected: listing the gap would tell "saad" so.
    assert not _listed(shared_gap, "status=rejected")


def test_the_agency_filter_does_not_reveal_who_owns_a_hidden_recommendation(shared_gap):
    assert not _listed(shared_gap, "agency=theirs")
