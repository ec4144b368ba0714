"""Pre-annotation on small French and English texts: spans, attributes, relations, notices."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.preannotate.lexicon import _check_rules, load_lexicon
from annotate_kit.scheme.records import new_record
from annotate_kit.scheme.schema import load_scheme
from annotate_kit.validate.checks import check_record
from preannotate_support import annotate, english, french, relations_of


def spans(record, layer, label=None):
    return [s["text"] for s in record[layer] if label is None or s.get("label") == label]


def test_typographic_apostrophes_give_no_entities():
    record = annotate(
        "Cette rencontre, qui s’est tenue à Moscou, s’inscrit dans un contexte qu’on n’ignore pas."
    )
    assert spans(record, "entities") == ["Moscou"]
    assert "’" in record["text"]  # the text itself is untouched


def test_offsets_and_text_are_exact_and_record_is_valid():
    text = "Selon les autorités russes, les discussions ont duré plusieurs heures.\r\nLe Kremlin a indiqué que d’autres discussions étaient envisagées."
    record = annotate(text)
    assert record["text"] == text
    for layer in ("entities", "claims", "cues"):
        for span in record[layer]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert span["text"] == span["text"].strip()
    assert check_record(record) == []


def test_input_records_are_not_changed():
    original = new_record(text="Le Kremlin a annoncé la fin de la réunion.", lang="fr")
    before = copy.deepcopy(original)
    [out] = preannotate_batch([original], preannotator=french())
    assert original == before
    assert out["entities"]
    assert out["annotation"]["origin"] == "prediction"


def test_according_to_claim_has_its_source_and_cue():
    record = annotate("Selon les autorités russes, les discussions ont duré plusieurs heures.")
    [claim] = record["claims"]
    assert claim["text"] == "les discussions ont duré plusieurs heures"
    assert (claim["attribution_kind"], claim["source_kind"]) == ("ACCORDING_TO", "MENTION")
    assert relations_of(record, "SOURCE_OF") == [("autorités russes", claim["text"])]
    assert relations_of(record, "CUE_OF") == [("Selon", claim["text"])]
    assert ("plusieurs heures", "DATE") in [(e["text"], e["label"]) for e in record["entities"]]


def test_reported_speech_with_que():
    record = annotate("Le Kremlin a indiqué que d’autres discussions étaient envisagées.")
    [claim] = record["claims"]
    assert claim["text"] == "d’autres discussions étaient envisagées"
    assert claim["attribution_kind"] == "INDIRECT"
    assert relations_of(record, "CUE_OF") == [("a indiqué", claim["text"])]
    assert relations_of(record, "SOURCE_OF") == [("Kremlin", claim["text"])]
    assert [(e["text"], e["label"]) for e in record["entities"]] == [("Kremlin", "ORG")]


def test_place_that_speaks_is_an_organisation_a_place_where_is_a_location():
    record = annotate("La réunion s’est tenue à Moscou. Moscou n’a pas communiqué de détails.")
    assert [e["label"] for e in record["entities"]] == ["LOC", "ORG"]


def test_negation_is_discontinuous_and_flips_factuality():
    record = annotate("Moscou n’a pas communiqué de détails précis.")
    assert spans(record, "cues", "NEGATION") == ["n’", "pas"]
    assert spans(record, "cues", "ATTRIBUTION") == []  # a negated report attributes nothing
    [claim] = record["claims"]
    assert (claim["source_kind"], claim["factuality"]) == ("AUTHOR", "CT-")
    assert relations_of(record, "SCOPES_OVER") == [("n’", claim["text"]), ("pas", claim["text"])]


def test_conditional_mood_from_morphology_and_epistemic_modals():
    record = annotate(
        "L’accord aurait été signé hier. Une réunion pourrait se tenir prochainement."
    )
    assert spans(record, "cues", "CONDITIONAL") == ["aurait"]
    assert spans(record, "cues", "EPISTEMIC") == ["pourrait"]
    factuality = {c["text"][:10]: c["factuality"] for c in record["claims"]}
    assert factuality["Une réunio"] == "PS+"


def test_distancing_quote_makes_a_mixed_claim():
    record = annotate(
        "Le Kremlin a estimé que les discussions étaient « utiles » et constructives."
    )
    assert spans(record, "cues", "DISTANCING_QUOTE") == ["« utiles »"]
    [claim] = record["claims"]
    assert claim["attribution_kind"] == "MIXED"
    assert spans(record, "cues", "DOXASTIC") == ["a estimé"]


def test_contrastive_si_is_not_a_condition_but_hypothetical_si_is():
    contrast = annotate(
        "Si les États-Unis évoquent des garanties, la Russie insiste sur les territoires."
    )
    assert spans(contrast, "cues", "CONDITION") == []
    condition = annotate("Si les négociations aboutissent, un accord sera signé.")
    assert spans(condition, "cues", "CONDITION") == ["Si"]


def test_hedges_and_approximators():
    record = annotate(
        "Environ 300 personnes étaient présentes, plutôt calmes, pour un éventuel accord."
    )
    assert spans(record, "cues", "HEDGE") == ["Environ", "plutôt", "éventuel"]
    assert "300 personnes" in spans(record, "entities", "QUANTITY")


def test_headings_are_segmented_from_paragraphs():
    text = "Une rencontre discrète mais stratégique\nSelon les autorités russes, les discussions ont duré."
    record = annotate(
        text,
        blocks=[
            {"start": 0, "end": 39, "kind": "heading"},
            {"start": 40, "end": len(text), "kind": "paragraph"},
        ],
    )
    claims = spans(record, "claims")
    assert claims[0] == "Une rencontre discrète mais stratégique"
    assert all("\n" not in c for c in claims)


def test_relation_rules_hold():
    record = annotate(
        "Selon des observateurs, l’accord serait proche. Le Kremlin a annoncé que les combats "
        "continuent. Des experts estiment qu’aucune percée n’a été obtenue."
    )
    heads = {r["head"] for r in record["relations"]}
    assert all(c["id"] in heads for c in record["cues"])
    sources = {r["tail"] for r in record["relations"] if r["type"] == "SOURCE_OF"}
    for claim in record["claims"]:
        assert (claim["id"] in sources) == (claim["source_kind"] == "MENTION")
    assert check_record(record) == []


def test_model_version_names_components():
    version = french().model_version("fr")
    assert version.startswith("annotate-kit-")
    assert "+fr_core_news_sm-3.8" in version
    assert "+lexicon-fr-2" in version  # 2: constraints, cue span convention, entities, claims


def test_english_without_a_pipeline_gives_a_notice_and_lexicon_cues():
    pre = english()
    if pre.kit("en").model is not None:
        pytest.skip("an English pipeline is installed here")
    assert any("[W501]" in notice for notice in pre.notices)
    record = annotate(
        "According to officials, the talks may resume soon. Some experts say it would fail.",
        lang="en",
    )
    assert record["entities"] == []
    labels = {c["text"]: c["label"] for c in record["cues"]}
    assert labels["According to"] == "ATTRIBUTION"
    assert labels["may"] == "EPISTEMIC"
    assert labels["Some experts"] == "WEASEL"
    assert labels["would"] == "CONDITIONAL"
    assert check_record(record) == []


def test_unknown_language_passes_through_with_a_notice():
    pre = Preannotator()
    record = new_record(text="Der Kreml hat das Treffen beendet.", lang="de")
    [out] = preannotate_batch([record], preannotator=pre)
    assert (out["entities"], out["cues"], out["claims"]) == ([], [], [])
    assert any("[W503]" in notice for notice in pre.notices)


def test_lexicons_name_only_scheme_labels():
    cue_types = set(load_scheme().labels("cue_type"))
    for lang in ("fr", "en"):
        lexicon = load_lexicon(lang)
        assert {g["type"] for g in lexicon.groups} <= cue_types
        assert all(g["source"] in lexicon.sources for g in lexicon.groups)


def test_rules_file_with_an_unknown_label_is_refused():
    bad = {
        "entities": {"label_maps": {"x": {"PERSON": "PERSONNE"}}, "named_labels": []},
        "factuality": {},
        "check_worthiness": {},
        "claims": {},
    }
    with pytest.raises(PreannotationError, match="PERSONNE"):
        _check_rules(bad, load_scheme(), "rules.json")


TEXT = st.text(
    alphabet=st.sampled_from(list("abcé ’'«»\r\n.,;Le Kremlin Moscou selon n’a pas 😀e\u0301")),
    min_size=1,
    max_size=120,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT.filter(str.strip))
def test_any_text_keeps_exact_offsets(text):
    record = annotate(text)
    assert record["text"] == text
    for layer in ("entities", "claims", "cues"):
        for span in record[layer]:
            assert text[span["start"] : span["end"]] == span["text"]
            assert span["end"] > span["start"]
    assert all(sum(ch.isalpha() for ch in e["text"]) >= 2 for e in record["entities"])
