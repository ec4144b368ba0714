"""bio: French-aware tokens, IOB2 tags, and the count of what a token view loses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate_kit.export.bio import (
    TOKEN,
    BioLosses,
    LayerLoss,
    bio_features,
    bio_row,
    tag_names,
    tokenize,
)

DATA = Path(__file__).parents[1] / "data"
MINIMAL = json.loads((DATA / "valid" / "minimal-record.jsonl").read_text(encoding="utf-8"))


def words(text: str, lang: str = "fr") -> list[str]:
    return [text[s:e] for s, e in tokenize(text, lang)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l’Ukraine", ["l’", "Ukraine"]),
        ("L'Ukraine", ["L'", "Ukraine"]),
        ("qu’aucune percée", ["qu’", "aucune", "percée"]),
        ("qualifiées d’« utiles »", ["qualifiées", "d’", "«", "utiles", "»"]),
        ("jusqu’à lorsqu’il s’est", ["jusqu’", "à", "lorsqu’", "il", "s’", "est"]),
        ("aujourd’hui", ["aujourd’hui"]),
        ("les États-Unis, a-t-il dit", ["les", "États-Unis", ",", "a-t-il", "dit"]),
        ("3,5 % et 2\u202f000 émissaires", ["3,5", "%", "et", "2\u202f000", "émissaires"]),
        ("Moscou n’a pas", ["Moscou", "n’", "a", "pas"]),
    ],
)
def test_french_tokens(text: str, expected: list[str]):
    assert words(text) == expected


def test_english_tokens():
    assert words("Moscow's envoy didn't say", "en") == [
        "Moscow",
        "'s",
        "envoy",
        "did",
        "n't",
        "say",
    ]


def test_tag_names_follow_the_scheme_like_conll2003():
    assert tag_names("entities")[:5] == ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]
    assert tag_names("claims") == ["O", "B-CLAIM", "I-CLAIM"]
    features = bio_features()
    assert features["cue_tags"].feature.names == tag_names("cues")


def test_iob2_tags_of_the_minimal_record():
    losses = BioLosses()
    row = bio_row(MINIMAL, losses)
    tagged = [
        (t, n, c) for t, n, c in zip(row["tokens"], row["ner_tags"], row["cue_tags"], strict=True)
    ]
    assert tagged[:4] == [
        ("Selon", "O", "B-ATTRIBUTION"),
        ("le", "O", "O"),
        ("Kremlin", "B-ORG", "O"),
        (",", "O", "O"),
    ]
    assert [t for t, _, c in tagged if c.endswith("DISTANCING_QUOTE")] == ["«", "utiles", "»"]
    starts, ends = row["token_starts"], row["token_ends"]
    assert all(
        MINIMAL["text"][s:e] == t for s, e, t in zip(starts, ends, row["tokens"], strict=True)
    )
    assert row["claim_tags"].count("B-CLAIM") == 2
    assert losses.layers["entities"] == LayerLoss(spans=2, exact=2)
    assert (losses.relations, losses.claim_attributes, losses.dropped()) == (4, 2, 0)


def test_losses_nested_crossing_widened_untokenized():
    text = "Le président russe Vladimir Poutine  parle."
    record = {
        "doc_id": "d",
        "lang": "fr",
        "text": text,
        "entities": [
            {"id": "a", "start": 3, "end": 35, "text": text[3:35], "label": "PER"},
            {"id": "b", "start": 19, "end": 35, "text": text[19:35], "label": "PER"},  # nested
            {"id": "c", "start": 28, "end": 42, "text": text[28:42], "label": "MISC"},  # crossing
            {"id": "d", "start": 35, "end": 36, "text": " ", "label": "MISC"},  # a space
        ],
        "claims": [],
        "cues": [{"id": "q", "start": 39, "end": 42, "text": "rle", "label": "HEDGE"}],  # widened
        "relations": [],
    }
    losses = BioLosses()
    row = bio_row(record, losses)
    assert row["ner_tags"] == ["O", "B-PER", "I-PER", "I-PER", "I-PER", "O", "O"]
    assert row["cue_tags"] == ["O", "O", "O", "O", "O", "B-HEDGE", "O"]
    assert losses.layers["entities"] == LayerLoss(
        spans=4, exact=1, nested=1, crossing=1, untokenized=1
    )
    assert losses.layers["cues"] == LayerLoss(spans=1, widened=1)
    assert losses.dropped() == 3


def test_ids_are_the_class_label_ids_of_the_names():
    features = bio_features()
    named, numbered = bio_row(MINIMAL), bio_row(MINIMAL, ids=True)
    for column in ("ner_tags", "claim_tags", "cue_tags"):
        names = features[column].feature.names
        assert [names[i] for i in numbered[column]] == named[column]
    assert any(numbered["ner_tags"])  # not all O


def test_a_label_outside_the_vocabulary_is_named():
    record = {**MINIMAL, "entities": [{**MINIMAL["entities"][0], "label": "CITY"}]}
    with pytest.raises(ValueError, match="label 'CITY' of span 'e1' is not in the vocabulary"):
        bio_row(record, ids=True)


def _reference_tags(spans, starts, ends, loss):
    """The token view as first written: an owner per token (the slow, obvious way)."""
    tags, owner = ["O"] * len(starts), [None] * len(starts)
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        loss.spans += 1
        start, end = span["start"], span["end"]
        covered = [i for i in range(len(starts)) if ends[i] > start and starts[i] < end]
        if not covered:
            loss.untokenized += 1
            continue
        taken = {owner[i] for i in covered} - {None}
        if taken:
            nested = all((s <= start and end <= e) or (start <= s and e <= end) for s, e in taken)
            loss.nested += nested
            loss.crossing += not nested
            continue
        for i in covered:
            tags[i], owner[i] = f"I-{span['label']}", (start, end)
        tags[covered[0]] = f"B-{span['label']}"
        exact = starts[covered[0]] == start and ends[covered[-1]] == end
        loss.exact += exact
        loss.widened += not exact
    return tags


@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(1, 30), st.sampled_from(["PER", "ORG"])),
        max_size=8,
    )
)
@settings(max_examples=300, deadline=None)
def test_tags_and_losses_match_the_per_token_reference(drawn):
    text = "Le président russe Vladimir Poutine a parlé à Moscou."
    spans = [
        {"id": f"e{i}", "start": s, "end": min(s + n, len(text)), "label": label}
        for i, (s, n, label) in enumerate(drawn)
        if s < len(text)
    ]
    record = {
        "doc_id": "d",
        "lang": "fr",
        "text": text,
        "entities": spans,
        "claims": [],
        "cues": [],
    }
    losses = BioLosses()
    row = bio_row(record, losses)
    expected = LayerLoss()
    assert row["ner_tags"] == _reference_tags(
        spans, row["token_starts"], row["token_ends"], expected
    )
    assert losses.layers["entities"] == expected


# What the pattern treats specially (elision, apostrophes, hyphens, digits and their group
# separators, combining accents, clitics), letters of both cases, marks, spaces, and beyond.
TRICKY = "aeléÉñLlDdQqUuJjSsTtNn’'ʼ«»\"“-‐‑ \n\t\u00a0\u202f0123,.;()…?_²\u0301\u0483😀𝔘"


@given(
    st.one_of(
        st.text(alphabet=TRICKY, max_size=60),
        st.text(max_size=40),  # any character
    ),
    st.sampled_from(sorted(TOKEN)),
)
@settings(max_examples=1500, deadline=None)
def test_token_bounds_are_the_patterns_matches(text, lang):
    """token_bounds finds most tokens from character classes: it must agree with the pattern,
    which defines them."""
    assert tokenize(text, lang) == [m.span() for m in TOKEN[lang].finditer(text)]
