"""Bridges between how complainants write (Gulf and Saudi dialect, mostly) and Modern Standard
Arabic, for models only.

A model trained on formal complaints meets "وش صار على كرتي؟ للحين ما وصلني شي" in the field.
Two bridges, both from our own lexicon (`sawt.textanalytics.gulf_lexicon`):
- `standard_form` gives the standard equivalent of a dialect word, clitics included
  (وكرتي → وبطاقتي, ماقدرت → ما استطعت): the classifier's word features see it next to the
  writer's own word (the dialect word is a feature too), its character n-grams are cut from it
  instead (that measured better, see `classifier._standard_word_grams`).
- `dialect_copies` swaps standard words for dialect ones at random (seeded), so a model
  trained on formal examples also learns from how they would be said in dialect.
Everything works on `normalize_arabic` output (ا for أ إ آ, ه for ة, ي for ى): no normalising
here.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sawt.textanalytics.arabic import tokenize_normalized
from sawt.textanalytics.gulf_lexicon import MORE_DIALECT, NOUNS, VERBS, WORDS

# Clitics, longest first so وبال is taken before و. A noun takes the article and the
# prepositions ب ل ك (لل is ل + ال); a verb takes و/ف, an attached negation ما (ماقدرت) and
# the future/habitual ب (بسكر), which has no standard counterpart and is dropped.
_NOUN_PREFIXES = (
    "وبال", "فبال", "وكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال",
    "وب", "فب", "ول", "فل", "وك", "و", "ف", "ب", "ل", "ك",
)  # fmt: skip
_VERB_PREFIXES = ("وما", "فما", "وب", "فب", "ما", "و", "ف", "ب")
_WORD_PREFIXES = ("و", "ف")
_NOUN_SUFFIXES = ("كم", "هم", "نا", "ها", "كن", "هن", "ي", "ك", "ه")
# ش: the Levantine/Egyptian negative ending (يشتغلش), read as a negation.
_VERB_SUFFIXES = ("وني", "كم", "هم", "نا", "ها", "ني", "وه", "ه", "ك", "ش")
# A stem shorter than this, once a clitic is taken off, is too likely to be part of some other
# word (بس in "وبس" is fine, but "لين" in "بلين" or "مو" in "ومو..." are not worth the risk).
MIN_STEM = 3


@dataclass(frozen=True)
class Standard:
    """The standard form of one dialect token: `full` keeps the writer's clitics
    (وبطاقتي), `core` drops a leading و/ف, which most tokens of formal text do not carry."""

    full: str
    core: str


def _join_suffix(word: str, suffix: str) -> str:
    # بطاقه + ي → بطاقتي; اغلقوا + ه → اغلقوه (the silent alef goes before a pronoun).
    if word.endswith("ه"):
        word = word[:-1] + "ت"
    elif word.endswith("وا"):
        word = word[:-1]
    return word + suffix


def _splits(token: str, prefixes: Sequence[str], suffixes: Sequence[str]) -> Iterable[tuple]:
    """(prefix, stem, suffix) ways of cutting `token`, the bare token first."""
    for prefix in ("", *prefixes):
        if prefix and not token.startswith(prefix):
            continue
        rest = token[len(prefix) :]
        for suffix in ("", *suffixes):
            if suffix and not rest.endswith(suffix):
                continue
            stem = rest[: len(rest) - len(suffix)]
            if not prefix and not suffix:
                continue
            if len(stem) < MIN_STEM:
                continue
            yield prefix, stem, suffix
            if suffix and stem.endswith("ت"):  # مكينتي → مكينه + ي
                yield prefix, stem[:-1] + "ه", suffix


def _noun(prefix: str, value: str, suffix: str) -> str:
    words = value.split()
    if suffix and len(words) == 1:
        words[0] = _join_suffix(words[0], suffix)
    conj = prefix[:1] if prefix[:1] in ("و", "ف") else ""
    rest = prefix[len(conj) :]
    if rest:
        head = words[0]
        if head.startswith("ال") and rest.endswith(("ال", "لل")):
            head = head[2:]  # the article once: الكرت → البطاقه, للكاش → للنقود
        words[0] = rest + head
    if conj:
        words[0] = conj + words[0]
    return " ".join(words)


def _verb(prefix: str, value: str, suffix: str) -> str:
    words = value.split()
    negated = "ما" in prefix
    if suffix == "ش":
        suffix = ""
        negated = True
    if suffix and len(words) == 1:
        words[0] = _join_suffix(words[0], suffix)
    out = " ".join(words)
    if negated and not out.startswith(("ما ", "لا ", "لم ")):
        out = ("ما " if "ما" in prefix else "لا ") + out
    conj = prefix[:1] if prefix[:1] in ("و", "ف") else ""
    return conj + out


@lru_cache(maxsize=200_000)
def standard_form(token: str) -> Standard | None:
    """The standard form of a normalised dialect token, or None when it is not one we know.

    The bare token is looked up first, then with clitics taken off (shortest stem last), and
    the clitics that mean something go back on the standard word: وكرتي → وبطاقتي,
    بالفلوس → بالاموال, ماقدرت → ما استطعت, يشتغلش → لا يعمل."""
    for table in (NOUNS, VERBS, WORDS):
        value = table.get(token)
        if value is not None:
            return _standard(value, token)
    for prefixes, suffixes, table, build in (
        (_NOUN_PREFIXES, _NOUN_SUFFIXES, NOUNS, _noun),
        (_VERB_PREFIXES, _VERB_SUFFIXES, VERBS, _verb),
        (_WORD_PREFIXES, (), WORDS, _noun),
    ):
        for prefix, stem, suffix in _splits(token, prefixes, suffixes):
            value = table.get(stem)
            if value is not None and value:
                return _standard(build(prefix, value, suffix), token)
    return None


def _standard(full: str, token: str) -> Standard | None:
    if full == token:
        return None
    core = full[1:] if full[:1] in ("و", "ف") and token[:1] in ("و", "ف") else full
    return Standard(full, core)


def msa_tokens(tokens: Iterable[str]) -> list[str]:
    """The tokens, each followed by its standard equivalent when it is a dialect word we know
    (tokens are those of `tokenize`: normalised): the form with the writer's clitics and,
    when different, the one without a leading و/ف."""
    out: list[str] = []
    for token in tokens:
        out.append(token)
        found = standard_form(token)
        if found is not None:
            out.extend(found.full.split())
            if found.core != found.full:
                out.extend(found.core.split())
    return out


def standardise(normalized: str) -> str:
    """The text with every dialect word we know replaced by its standard form (the rest, and
    punctuation, as written): what a formal writer would have said."""
    out = []
    for word in normalized.split():
        tokens = tokenize_normalized(word)
        if len(tokens) == 1:
            found = standard_form(tokens[0])
            if found is not None:
                word = word.replace(tokens[0], found.full)
        out.append(word)
    return " ".join(out)


# --- standard → dialect, for training copies --------------------------------------------------


def _inverse() -> tuple[dict[str, tuple[tuple[str, str], ...]], dict[str, tuple[str, ...]]]:
    """Standard word → its dialect forms, each with its kind (noun, verb or word); and standard
    word pairs → dialect forms."""
    single: dict[str, set[tuple[str, str]]] = {}
    pairs: dict[str, set[str]] = {}
    for kind, table in (("noun", NOUNS), ("verb", VERBS), ("word", WORDS)):
        for dialect, standard in table.items():
            if not standard or " " in dialect:
                continue
            if " " in standard:
                pairs.setdefault(standard, set()).add(dialect)
            else:
                single.setdefault(standard, set()).add((kind, dialect))
    for standard, dialect in MORE_DIALECT.items():
        if " " in standard:
            pairs.setdefault(standard, set()).add(dialect)
        else:
            kind = "noun" if standard in NOUNS.values() else "word"
            single.setdefault(standard, set()).add((kind, dialect))
    return (
        {k: tuple(sorted(v)) for k, v in single.items()},
        {k: tuple(sorted(v)) for k, v in pairs.items()},
    )


_DIALECT_OF, _DIALECT_OF_PAIR = _inverse()


@lru_cache(maxsize=200_000)
def dialect_forms(token: str) -> tuple[str, ...]:
    """The dialect forms of a standard (normalised) token, clitics kept: بطاقتي → كرتي …;
    empty when we know none. An empty string among them means the word can be left out
    (هل, لقد: Saudi questions and statements often do without them)."""
    forms = _DIALECT_OF.get(token)
    if forms:
        return tuple(dialect for _, dialect in forms)
    out: list[str] = []
    for prefix, stem, suffix in _splits(token, _NOUN_PREFIXES, _NOUN_SUFFIXES):
        for kind, dialect in _DIALECT_OF.get(stem, ()):
            if not dialect or " " in dialect:
                continue
            if kind == "noun":
                out.append(_noun(prefix, dialect, suffix))
            elif kind == "verb" and prefix in ("", "و", "ف") and suffix not in ("ي",):
                out.append(prefix + (_join_suffix(dialect, suffix) if suffix else dialect))
            elif kind == "word" and prefix in ("و", "ف") and not suffix:
                out.append(prefix + dialect)
        if out:
            break
    return tuple(out)


def dialect_copy(normalized: str, rng: random.Random, rate: float = 0.5) -> str:
    """One dialect-flavoured version of a normalised text: each standard word (or word pair)
    with a dialect form is swapped for one, chosen by `rng`, with probability `rate`."""
    tokens = tokenize_normalized(normalized)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens):
            pair = _DIALECT_OF_PAIR.get(f"{tokens[i]} {tokens[i + 1]}")
            if pair and rng.random() < rate:
                out.append(rng.choice(pair))
                i += 2
                continue
        forms = dialect_forms(tokens[i])
        if forms and rng.random() < rate:
            out.append(rng.choice(forms))
        else:
            out.append(tokens[i])
        i += 1
    return " ".join(w for w in out if w)


def dialect_copies(
    normalized_texts: Sequence[str], *, seed: int = 0, rate: float = 0.5
) -> list[tuple[int, str]]:
    """A dialect-flavoured copy of each text, as (index of its original, copy), leaving out
    copies where nothing was swapped (they would only repeat the original). Seeded: the same
    texts and seed give the same copies, so training stays repeatable."""
    rng = random.Random(seed)
    copies = []
    for i, text in enumerate(normalized_texts):
        copy = dialect_copy(text, rng, rate)
        if copy != " ".join(tokenize_normalized(text)):
            copies.append((i, copy))
    return copies
