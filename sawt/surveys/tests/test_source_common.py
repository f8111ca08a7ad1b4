"""The sources' shared value readers (sawt.surveys.sources.common), by property: a choice name
scores however it is spaced or cased, a number stays a number, anything else is refused by
name, and a column finds its question by any tail of its group path."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sawt.imports.values import ValueProblem
from sawt.surveys.models import Question
from sawt.surveys.sources.common import QuestionIndex, Scorer, looks_personal, time_in, zone_named

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
ARABIC = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي ", min_size=1, max_size=15).filter(
    lambda t: t.strip() != ""
)


def question(choices, kind="satisfaction", code="q1", source_key=""):
    # Unsaved: the readers only read its fields.
    return Question(
        code=code,
        kind=kind,
        choices=choices,
        source_key=source_key,
        scale_min=None if kind == "text" else 1,
        scale_max=None if kind == "text" else 5,
    )


@given(st.dictionaries(st.one_of(NAMES, ARABIC), st.integers(0, 10), min_size=1), st.data())
def test_a_choice_name_scores_whatever_its_spacing_and_case(choices, data):
    name = data.draw(st.sampled_from(sorted(choices)))
    written = data.draw(st.sampled_from([name, f"  {name} ", name.upper(), f"\u200f{name}"]))
    # Two names differing only in case: the exact one wins, else the first folded one.
    expected = choices.get(written.strip(), None)
    score = Scorer(question(choices))(written)
    if expected is not None:
        assert score == expected
    else:
        folded = [v for k, v in choices.items() if k.casefold() == name.casefold()]
        assert score in folded


@given(st.dictionaries(NAMES, st.integers(1, 5), min_size=1), st.integers(-50, 50))
def test_a_number_that_is_no_choice_is_passed_on_as_the_score(choices, number):
    if str(number) in choices:
        return
    assert str(Scorer(question(choices))(str(number))) == str(number)
    assert Scorer(question(choices))(number) == number


@given(st.dictionaries(NAMES, st.integers(1, 5), min_size=1), ARABIC)
def test_any_other_text_is_refused_naming_it(choices, text):
    try:
        Scorer(question(choices))(text)
    except ValueProblem as problem:
        assert text.strip() in problem.message
    else:
        raise AssertionError("an unknown choice must be refused")


@given(ARABIC)
def test_a_text_question_keeps_its_text(text):
    assert Scorer(question({}, kind="text"))(text) == text


@given(st.lists(NAMES, min_size=0, max_size=4), NAMES)
def test_a_column_finds_its_question_by_its_group_path(groups, name):
    index = QuestionIndex([question({}, code=name)])
    for separator in "/-":
        column = separator.join([*groups, name])
        found = index.find(column, separators=separator)
        assert found is not None and found.code == name


def test_source_key_wins_over_another_questions_code():
    first = question({}, code="q1", source_key="q2")
    second = question({}, code="q2")
    assert QuestionIndex([first, second]).find("grp/q2", separators="/") is first


@given(st.sampled_from(["email", "RecipientEmail", "phone_number", "IPAddress", "جوال_العميل"]))
def test_personal_names(name):
    assert looks_personal(name)


def test_times_without_an_offset_are_in_the_tools_zone():
    read = time_in(dt.UTC)
    assert read("2022-07-03T06:15:00") == dt.datetime(2022, 7, 3, 6, 15, tzinfo=dt.UTC)
    # An offset written in the cell is kept.
    assert read("2022-07-03T09:15:00+03:00") == dt.datetime(2022, 7, 3, 6, 15, tzinfo=dt.UTC)
    assert zone_named("Z") is dt.UTC and zone_named("Nowhere/City") is None
