"""WCAG 2.1 AA for the public form's style sheet (web/form.css): text reaches 4.5:1 against what
it sits on, and what identifies a control or its state (a scale box's border, the chosen box,
the focus ring) reaches 3:1 (1.4.11). form.css uses the palette of sawt.css only, so these pairs
are all it can make."""

import re

import pytest

from sawt.web.tests.test_contrast import CSS, PALETTE, contrast

FORM_CSS = (CSS / "form.css").read_text()


def _c(name: str) -> str:
    return {"#fff": "#ffffff"}.get(name, PALETTE.get(name, name))


TEXT = [
    ("ink", "#fff"),  # questions, scale numbers, typed answers
    ("ink", "bg"),  # the progress count
    ("muted", "#fff"),  # the words at a scale's ends
    ("muted", "bg"),  # the save status, notes
    ("#fff", "brand"),  # the chosen score
    ("brand-dark", "brand-soft"),  # a score under the pointer; the "saved" notice
    ("down", "#fff"),  # errors
    ("brand", "bg"),  # headings
    ("#fff", "brand"),  # the header and the send button
]
CONTROLS = [
    ("muted", "#fff"),  # a score box's border on the card
    ("muted", "#fff"),  # a text box's border
    ("brand-dark", "#fff"),  # the chosen box's border
    ("ink", "#fff"),  # the focus ring on a card
    ("ink", "bg"),  # the focus ring on the page
    ("down", "#fff"),  # an invalid item's border
]


@pytest.mark.parametrize(("text", "background"), TEXT)
def test_form_text_meets_aa(text, background):
    assert contrast(_c(text), _c(background)) >= 4.5


@pytest.mark.parametrize(("colour", "background"), CONTROLS)
def test_form_controls_and_their_states_meet_aa(colour, background):
    assert contrast(_c(colour), _c(background)) >= 3.0


def test_the_form_uses_the_palette_only():
    literals = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", FORM_CSS))
    assert literals <= {"#fff"}, literals
    used = set(re.findall(r"var\(--([\w-]+)\)", FORM_CSS))
    assert used <= set(PALETTE), used - set(PALETTE)
