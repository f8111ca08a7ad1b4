"""Figures as sawt prints them on pages, in PDFs and at the terminal: one helper, one rule set."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.dates import MONTHS

from sawt.core.digits import arabic_digits
from sawt.core.periods import parse_period

DIGITS = ("latin", "arabic")
# Arabic-Indic digits come with the Arabic separators and percent sign, never a mix
# such as ٣.٩ or ٦٫٧% (the decimal separator ٫, the group separator ٬, the percent sign ٪).
_ARABIC_MARKS = str.maketrans({".": "٫", ",": "٬", "%": "٪"})
EMPTY = "—"
# Unicode isolates (LRI/RLI … PDI) keep a figure in one piece inside a sentence of the other
# direction, in any renderer. In Arabic text Latin digits resolve as Arabic numbers (UAX #9,
# rule W2), so without them "3.75–4.03" shows as "4.03–3.75" and "6.7%" as "%6.7".
_ISOLATE = {"ltr": "\u2066{}\u2069", "rtl": "\u2067{}\u2069"}
# Between an interval's bounds: left-to-right marks (U+200E) around the dash, and word joiners
# (U+2060) so the line never breaks there. Without the marks the dash takes the direction of
# the numbers around it, and Arabic numbers (Arabic-Indic digits, or Latin ones after Arabic
# letters) count as right to left (UAX #9, rules W2 and N1): the bounds would swap sides.
_INTERVAL_DASH = "\u200e\u2060–\u2060\u200e"


def round_half_up(value: float, places: int, *, shift: int = 0) -> Decimal:
    """`value` × 10^shift rounded to `places` decimals, halves away from zero, on the decimal
    the reader sees: 3.25 → 3.3, 3.15 → 3.2 (repr is '3.15', although the double is a hair
    below), 2.675 → 2.68, −0.05 → −0.1. Excel displays numbers the same way, so a workbook's
    cells and the page agree; Python's own formatting rounds the binary value half to even
    (3.25 → 3.2). The shift is exact (a share 0.0725 is 7.25 %, where 0.0725 * 100 is
    7.249999…)."""
    return (
        Decimal(repr(float(value)))
        .scaleb(shift)
        .quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    )


def fixed(value: float, places: int, *, shift: int = 0) -> str:
    """`value` × 10^shift with exactly `places` decimals, by the one rounding rule."""
    if not math.isfinite(value):
        return EMPTY
    return f"{round_half_up(value, places, shift=shift):.{places}f}"


def places_against(value: float, target: float | None, places: int = 1) -> int:
    """Decimals to show `value` with where it is compared with `target`: `places`, or more when
    rounding would carry a value below the target up to it (3.96 is "3.96", not "4.0 below the
    target"). At most three more."""
    if target is None or value >= target:
        return places
    for more in range(places, places + 4):
        if round_half_up(value, more) < Decimal(repr(float(target))):
            return more
    return places + 3


def signed_text(value: float, places: int) -> str:
    """A figure with its sign always written (+0.35, -0.12, 0): a change or a net score. The
    minus is the hyphen-minus: the report's bundled fonts have no U+2212, and a fallback font
    would creep into the PDF."""
    text = fixed(abs(value), places)
    if round_half_up(value, places) == 0:
        return text
    return ("+" if value > 0 else "-") + text


def interval_text(low: str, high: str) -> str:
    """Two formatted bounds as one interval: lower first and on the left, in either direction
    and either digit system, so every renderer shows 3.75–4.03 and never 4.03–3.75."""
    return f"{low}{_INTERVAL_DASH}{high}"


@dataclass(frozen=True)
class Numbers:
    """Format scores, counts, shares and intervals in Latin or Arabic-Indic digits."""

    digits: str = "latin"

    def __post_init__(self) -> None:
        if self.digits not in DIGITS:
            raise ValueError(f"digits must be one of {DIGITS}, not {self.digits!r}")

    @property
    def direction(self) -> str:
        """The direction to isolate a figure in: Arabic-Indic ranges read right to left."""
        return "rtl" if self.digits == "arabic" else "ltr"

    def _isolated(self, latin: str) -> str:
        return _ISOLATE[self.direction].format(self.text(latin))

    def signed(self, value: float, places: int = 2) -> str:
        """A change with its sign always written (+0.25, -0.10), isolated like every figure."""
        return self._isolated(signed_text(value, places))

    def text(self, latin: str) -> str:
        """Any figure written with Latin digits and marks, in the chosen digits."""
        if self.digits == "arabic":
            return arabic_digits(latin).translate(_ARABIC_MARKS)
        return latin

    def score(self, value: float | None) -> str:
        """A mean to one decimal, as the ministry's reports show scores."""
        return EMPTY if value is None else self.text(fixed(value, 1))

    def score_against(self, value: float | None, target: float | None) -> str:
        """A mean beside its target: one decimal, or two where one would round a value below
        the target up to it (see places_against)."""
        if value is None:
            return EMPTY
        return self.text(fixed(value, places_against(value, target)))

    def nps(self, value: float | None) -> str:
        """A net promoter score (−100…100) as a whole number with its sign: +12, −25."""
        return EMPTY if value is None else self._isolated(signed_text(value, 0))

    def count(self, value: int | None) -> str:
        """A whole number with thousands separators."""
        return EMPTY if value is None else self.text(f"{value:,}")

    def pct(self, value: float | None) -> str:
        """A share as a percentage with one decimal."""
        return EMPTY if value is None else self._isolated(fixed(value, 1, shift=2) + "%")

    def level(self, value: float) -> str:
        """A confidence level such as 95%, as a whole percentage."""
        return self._isolated(fixed(value, 0, shift=2) + "%")

    def ci(self, value: tuple[float, float] | list[float] | None) -> str:
        """A confidence interval as lo–hi, two decimals (one more than the score it brackets)."""
        if not value:
            return EMPTY
        return self._isolated(interval_text(fixed(value[0], 2), fixed(value[1], 2)))

    def margin(self, value: float | None) -> str:
        """A margin of error as ±x.xx."""
        return EMPTY if value is None else self._isolated("±" + fixed(value, 2))

    def period(self, period: str) -> str:
        """A period YYYY-MM as the month's name and the year in the active language."""
        start, _ = parse_period(period)
        return f"{MONTHS[start.month]} {self.text(str(start.year))}"
