"""schema/: vocabularies complete, and everything derived from them (config, features)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from label_studio_sdk.label_interface import LabelInterface

from annotate_kit.cli.main import main
from annotate_kit.export.features import record_features
from annotate_kit.labelstudio.config import labelstudio_config
from annotate_kit.scheme.schema import default_schema_dir, load_scheme


def test_every_label_is_documented_with_examples():
    scheme = load_scheme()
    assert set(scheme.vocabularies) == {
        "entity_label",
        "cue_type",
        "source_kind",
        "attribution_kind",
        "factuality",
        "check_worthiness",
        "relation_type",
    }
    for vocab in scheme.vocabularies.values():
        for label in vocab.labels:
            assert label.description, (vocab.name, label.name)
            assert label.example_fr, (vocab.name, label.name)
            assert label.example_en, (vocab.name, label.name)
    assert scheme.labels("factuality") == ("CT+", "PR+", "PS+", "CT-", "PR-", "PS-", "CTu", "Uu")
    assert scheme.labels("check_worthiness") == ("NFS", "UFS", "CFS")


def test_every_cue_type_names_its_relation():
    scheme = load_scheme()
    relations = set(scheme.labels("relation_type"))
    for cue in scheme.labels("cue_type"):
        assert scheme.cue_relation(cue) in relations


def test_labelstudio_parser_accepts_config_with_every_label():
    scheme = load_scheme()
    interface = LabelInterface(labelstudio_config())
    controls = {c.name: c for c in interface.controls}
    for layer in scheme.layers.values():
        assert list(controls[layer.key].labels) == list(scheme.layer_labels(layer.key))
        for attribute, vocab in layer.attributes.items():
            assert list(controls[attribute].labels) == list(scheme.labels(vocab))
    root = ET.fromstring(labelstudio_config())
    assert [r.get("value") for r in root.iter("Relation")] == list(scheme.labels("relation_type"))
    assert "pre-wrap" in root.find("Style").text


def test_required_region_choices_carry_their_own_when_attributes():
    """Label Studio 1.23 skips a region in a required per-region Choices only by the Choices'
    own when* attributes; on the wrapping View alone, every entity and cue blocks Submit."""
    scheme = load_scheme()
    root = ET.fromstring(labelstudio_config())
    required = [c for c in root.iter("Choices") if c.get("perRegion") == "true"]
    assert required
    owners = {a: layer for layer in scheme.layers.values() for a in layer.attributes}
    for choices in required:
        layer = owners[choices.get("name")]
        assert choices.get("required") == "true"
        assert choices.get("visibleWhen") == "region-selected"
        assert choices.get("whenTagName") == layer.key
        assert choices.get("whenLabelValue") == (layer.fixed_label or "")


def test_label_names_are_xml_escaped(tmp_path: Path):
    copy = tmp_path / "schema"
    shutil.copytree(default_schema_dir(), copy)
    vocab_path = copy / "vocab" / "entity_label.json"
    vocab = json.loads(vocab_path.read_text())
    vocab["oneOf"][0]["const"] = 'A&B <"x">'
    vocab["oneOf"][0]["description"] = "</Label><Script>alert(1)</Script>"
    vocab_path.write_text(json.dumps(vocab))
    xml = labelstudio_config(load_scheme(copy))
    root = ET.fromstring(xml)
    first = root.find(".//Labels").find("Label")
    assert first.get("value") == 'A&B <"x">'
    assert "<Script>" not in xml
    assert root.find(".//Script") is None


def test_features_use_class_labels_from_the_vocabularies():
    features = record_features()
    assert features["entities"].feature["label"].names == list(load_scheme().labels("entity_label"))
    assert features["relations"].feature["type"].names == list(
        load_scheme().labels("relation_type")
    )


def test_config_command_prints_the_config():
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0
    assert result.output == labelstudio_config() + "\n"


def test_the_package_ships_the_same_schema():
    """Installed from a wheel, the package reads schema/ through annotate_kit/_schema."""
    from importlib import resources

    shipped = Path(str(resources.files("annotate_kit") / "_schema"))
    assert load_scheme(shipped).record_schema == load_scheme().record_schema
    assert load_scheme(shipped).vocabularies.keys() == load_scheme().vocabularies.keys()


def test_every_label_has_a_unique_hotkey_and_colour_declared_in_schema():
    """A hotkey and a colour per label, beside its definition in schema/; the config carries
    them; no two keys collide on the page, and none is Label Studio's own "u" (unselect)."""
    scheme = load_scheme()
    declared = {}
    for layer in scheme.layers.values():
        if layer.label_vocab is not None:
            for label in scheme.vocabularies[layer.label_vocab].labels:
                declared[label.name] = (label.hotkey, label.color)
        else:
            declared[layer.fixed_label] = (layer.fixed_hotkey, layer.fixed_color)
    assert all(key and color for key, color in declared.values()), declared
    root = ET.fromstring(labelstudio_config())
    on_page = {
        label.get("value"): (label.get("hotkey"), label.get("background"))
        for labels in root.iter("Labels")
        for label in labels.iter("Label")
    }
    assert on_page == declared
    keys = [key for key, _ in on_page.values()]
    keys += [c.get("hotkey") for c in root.iter("Choice") if c.get("hotkey")]
    assert len(keys) == len(set(keys)), sorted(keys)
    assert "u" not in keys
    colours = [color.lower() for _, color in on_page.values()]
    assert len(colours) == len(set(colours))


def test_relations_take_one_type_each_and_are_drawn_only_on_demand():
    root = ET.fromstring(labelstudio_config())
    relations = root.find(".//Relations")
    assert relations.get("choice") == "single"
    # Label Studio shows no hint for a Relation: the side column spells each type out
    legend = next(v for v in root.iter("View") if v.get("className") == "ak-relations-help")
    lines = [h.get("value") for h in legend.iter("Header")][1:]
    vocab = load_scheme().vocabularies["relation_type"].labels
    assert lines == [f"{label.name}: {label.description}" for label in vocab]
    css = root.find("Style").text
    assert ".relations-overlay g { visibility: hidden; }" in css
    assert ">" not in css  # Label Studio HTML-escapes it inside <Style>: the rule would be lost


def test_claim_attributes_come_first_in_the_side_column_each_under_its_name():
    """Beside the text, the selected claim's attributes open the column (above the labels)."""
    root = ET.fromstring(labelstudio_config())
    page = next(v for v in root.iter("View") if v.get("className") == "ak-page")
    text_column, side = list(page)
    assert text_column.find("Text") is not None
    order = [
        child.get("className") or child.tag
        for child in side.iter()
        if child.tag == "Labels" or (child.get("className") or "").startswith("ak-attr-")
    ]
    first_labels = order.index("Labels")
    assert order[:first_labels] == [
        "ak-attr-source_kind",
        "ak-attr-attribution_kind",
        "ak-attr-factuality",
        "ak-attr-check_worthiness",
    ]
    for group in side.iter("View"):
        if (group.get("className") or "").startswith("ak-attr-"):
            assert group[0].tag == "Header"
            assert group[0].get("value")
