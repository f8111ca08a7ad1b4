"""Figures as sawt prints them on pages, in PDFs and at the terminal: one helper, one rule set."""

from __future__ import annotations

from dataclasses import dataclass

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

    def text(self, latin: str) -> str:
        """Any figure written with Latin digits and marks, in the chosen digits."""
        if self.digits == "arabic":
            return arabic_digits(latin).translate(_ARABIC_MARKS)
        return latin

    def score(self, value: float | None) -> str:
        """A mean to one decimal, as the ministry's reports show scores."""
        return EMPTY if value is None else self.text(f"{value:.1f}")

    def count(self, value: int | None) -> str:
        """A whole number with thousands separators."""
        return EMPTY if value is None else self.text(f"{value:,}")

    def pct(self, value: float | None) -> str:
        """A share as a percentage with one decimal."""
        return EMPTY if value is None else self._isolated(f"{value * 100:.1f}%")

    def level(self, value: float) -> str:
        """A confidence level such as 95%, as a whole percentage."""
        return self._isolated(f"{value * 100:.0f}%")

    def ci(self, value: tuple[float, float] | list[float] | None) -> str:
        """A confidence interval as lo–hi, two decimals (one more than the score it brackets)."""
        if not value:
            return EMPTY
        return self._isolated(interval_text(f"{value[0]:.2f}", f"{value[1]:.2f}"))

    def margin(self, value: float | None) -> str:
        """A margin of error as ±x.xx."""
        return EMPTY if value is None else self._isolated(f"±{value:.2f}")

    def period(self, period: str) -> str:
        """A period YYYY-MM as the month's name and the year in the active language."""
        start, _ = parse_period(period)
        return f"{MONTHS[start.month]} {self.text(str(start.year))}"
