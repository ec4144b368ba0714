"""The layered workflow: a pass's config, and the earlier pass's gold as predictions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from label_studio_sdk.label_interface import LabelInterface

from annotate_kit.errors import InputError
from annotate_kit.labelstudio.config import labelstudio_config
from annotate_kit.labelstudio.passes import (
    earlier_pass_results,
    parse_pass,
    read_gold,
    with_gold_predictions,
)

GOLD = Path(__file__).parents[2] / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"


def _offered(root: ET.Element) -> tuple[set[str], set[str]]:
    """(Labels controls the annotator sees, Labels controls hidden in a display:none View)."""
    hidden = {
        labels.get("name")
        for view in root.iter("View")
        if view.get("style") == "display: none"
        for labels in view.iter("Labels")
    }
    return {labels.get("name") for labels in root.iter("Labels")} - hidden, hidden


def test_first_pass_offers_entities_and_cues_only():
    root = ET.fromstring(labelstudio_config(layers=parse_pass("entities,cues")))
    assert _offered(root) == ({"entities", "cues"}, {"claims"})
    assert not [c for c in root.iter("Choices") if c.get("perRegion") == "true"]
    assert [r.get("value") for r in root.iter("Relation")] == ["COREF"]


def test_claims_pass_offers_claims_attributes_and_relations_ending_in_a_claim():
    root = ET.fromstring(labelstudio_config(layers=["claims"]))
    assert _offered(root) == ({"claims"}, {"entities", "cues"})
    attributes = [c.get("name") for c in root.iter("Choices") if c.get("perRegion") == "true"]
    assert attributes == ["source_kind", "attribution_kind", "factuality", "check_worthiness"]
    relations = [r.get("value") for r in root.iter("Relation")]
    assert relations == ["SOURCE_OF", "CUE_OF", "SCOPES_OVER"]


def test_unknown_layer_is_refused_with_the_choices():
    with pytest.raises(InputError, match="unknown layer relations; choose among entities"):
        labelstudio_config(layers=["entities", "relations"])


def test_earlier_gold_becomes_a_valid_prediction_of_the_claims_pass():
    record = json.loads(GOLD.read_text(encoding="utf-8"))
    results = earlier_pass_results(record, layers=["claims"])
    regions = {r["id"] for r in results if r["type"] == "labels"}
    assert regions == {s["id"] for s in record["entities"] + record["cues"]}
    assert all(r["from_id"] in regions and r["to_id"] in regions for r in results if "from_id" in r)
    interface = LabelInterface(labelstudio_config(layers=["claims"]))
    assert interface.validate_prediction({"result": results}, return_errors=True) in ([], True)
    (task,) = with_gold_predictions(
        [{"data": {"doc_id": record["doc_id"], "text": record["text"]}, "predictions": ["old"]}],
        {record["doc_id"]: record},
        layers=["claims"],
    )
    (prediction,) = task["predictions"]
    assert prediction["model_version"].startswith("gold of pass entities,cues")
    assert prediction["result"] == results


def test_gold_file_holds_one_live_annotation_per_document(tmp_path: Path):
    record = json.loads(GOLD.read_text(encoding="utf-8"))
    skipped = {**record, "annotation": {**record["annotation"], "cancelled": True}}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps(skipped) + "\n", encoding="utf-8")
    assert list(read_gold(path)) == [record["doc_id"]]
    path.write_text(json.dumps(record) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="1 documents have several annotations"):
        read_gold(path)
