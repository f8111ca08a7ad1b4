"""factory_boy factories for every domain model, Arabic text by default (tests only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.conf import settings
from django.utils import timezone

from sawt.accounts.models import Membership
from sawt.catalog.models import Agency, GapCategory, Journey, Stage
from sawt.complaints.models import Complaint
from sawt.core.access import Role
from sawt.distribution.models import Invitation, Invitee
from sawt.gaps.models import Gap, Recommendation
from sawt.surveys.models import Answer, Question, Response, Survey
from sawt.workshops.models import Workshop, WorkshopNote


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name_ar = factory.Sequence(lambda n: f"الوكالة رقم {n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    slug = factory.Sequence(lambda n: f"journey-{n}")
    name_ar = factory.Sequence(lambda n: f"رحلة الخدمة {n}")
    name_en = factory.Sequence(lambda n: f"Service journey {n}")
    agency = factory.SubFactory(AgencyFactory)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    journey = factory.SubFactory(JourneyFactory)
    code = factory.Sequence(lambda n: f"stage-{n}")
    name_ar = factory.Sequence(lambda n: f"المرحلة {n}")
    name_en = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(int)


class GapCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GapCategory

    journey = factory.SubFactory(JourneyFactory)
    code = factory.Sequence(lambda n: f"category-{n}")
    name_ar = factory.Sequence(lambda n: f"سبب عدم الرضا {n}")
    name_en = factory.Sequence(lambda n: f"Reason {n}")
    position = factory.Sequence(int)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    code = factory.Sequence(lambda n: f"survey-{n}")
    journey = factory.SubFactory(JourneyFactory)
    period = "2022-06"
    sample_size = 1000


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    kind = "satisfaction"
    text_ar = factory.Sequence(lambda n: f"ما مدى رضاك عن الجانب {n} من الخدمة؟")
    text_en = factory.Sequence(lambda n: f"How satisfied are you with aspect {n}?")
    scale_min = 1
    scale_max = 5
    position = factory.Sequence(int)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    respondent_id = factory.Sequence(lambda n: f"R{n:06d}")


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    score = 4


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    journey = factory.SubFactory(JourneyFactory)
    complaint_id = factory.Sequence(lambda n: f"C-{n:06d}")
    received_at = factory.LazyFunction(
        lambda: dt.datetime(2022, 6, 15, 10, 0, tzinfo=timezone.get_default_timezone())
    )
    channel = "بلدي"
    text = "تأخر الطلب كثيراً ولم يصلني أي رد حتى الآن"


class GapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gap

    journey = factory.SubFactory(JourneyFactory)
    period = "2022-06"
    number = factory.Sequence(lambda n: n + 1)
    feedback_ar = "دليل الخدمة لا يذكر كل المتطلبات"


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    gap = factory.SubFactory(GapFactory)
    text_ar = "تحديث دليل الخدمة وتوحيده"
    owner = factory.SelfAttribute("gap.journey.agency")


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    journey = factory.SubFactory(JourneyFactory)
    title_ar = "ورشة تشاركية مع المقاولين"
    title_en = "Participatory workshop with contractors"
    held_on = dt.date(2022, 6, 20)
    participants = 12


class WorkshopNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopNote

    workshop = factory.SubFactory(WorkshopFactory)
    text = "المتطلبات غير واضحة في دليل الخدمة"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = settings.AUTH_USER_MODEL
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user-{n}")
    password = factory.django.Password("x-secret-123")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    # As membership_set does: the administrator role, and only it, carries the admin flags.
    user = factory.SubFactory(
        UserFactory,
        is_staff=factory.LazyAttribute(lambda o: o.factory_parent.role == Role.ADMINISTRATOR),
        is_superuser=factory.LazyAttribute(lambda o: o.factory_parent.role == Role.ADMINISTRATOR),
    )
    role = Role.ANALYST
    agency = None


def user_with_role(role: str, agency: Agency | None = None, **user_fields: Any) -> Any:
    """A saved user with the role (and agency); `user_fields` go to the user, e.g. username."""
    fields = {f"user__{k}": v for k, v in user_fields.items()}
    return MembershipFactory(role=role, agency=agency, **fields).user


class InviteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitee

    survey = factory.SubFactory(SurveyFactory)
    reference_id = factory.Sequence(lambda n: f"REQ-{n:06d}")
    mobile = factory.Sequence(lambda n: f"+9665{n:08d}")
    # Not a real keyed hash (tests that need one use the contacts service): unique per row.
    mobile_hash = factory.Sequence(lambda n: f"{n:064x}")
    language = "ar"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    invitee = factory.SubFactory(InviteeFactory)
    channel = "sms"
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
