"""WCAG 2.1 AA: every text colour of the site's style sheet against the backgrounds it sits on
reaches 4.5:1 (normal text). Read from the CSS itself, so a new shade cannot slip in unchecked."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[1] / "static" / "web"
PALETTE = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", (CSS / "sawt.css").read_text()))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _c(name: str) -> str:
    return PALETTE.get(name, name)


# (text, background) pairs as the style sheets use them.
PAIRS = [
    ("ink", "bg"),
    ("ink", "#ffffff"),
    ("muted", "bg"),
    ("muted", "#ffffff"),
    ("brand", "bg"),
    ("brand", "#ffffff"),
    ("#ffffff", "brand"),
    ("#ffffff", "brand-dark"),
    ("brand-dark", "brand-soft"),
    ("down", "down-soft"),
    ("down", "#ffffff"),
    ("low", "#ffffff"),
    ("low", "bg"),
    ("#6b4a00", "#fff6e0"),
    ("#9b1c1c", "#ffffff"),
    ("muted", "brand-soft"),
]


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_meet_wcag_aa(text, background):
    assert contrast(_c(text), _c(background)) >= 4.5


def test_the_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
