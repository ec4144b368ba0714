"""The Label Studio labeling config, generated from the scheme.

Built with ElementTree so every label name, hint and title is XML-escaped by construction.
Control names follow lsformat.py: a Labels control per layer, per-region Choices per attribute.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from annotate_kit.scheme.schema import Label, Scheme, load_scheme
from annotate_kit.scheme.tasks import RELATIONS_TAG, TEXT_TAG

# Label Studio renders the Text tag; pre-wrap keeps the document's line structure visible,
# so offsets over "\n" are what the annotator sees.
PRE_WRAP_CSS = ".lsf-richtext__line, .htx-richtext { white-space: pre-wrap; }"


def labelstudio_config(scheme: Scheme | None = None) -> str:
    """The XML labeling config for a project that annotates records of this scheme."""
    scheme = scheme or load_scheme()
    view = ET.Element("View")
    ET.SubElement(view, "Style").text = PRE_WRAP_CSS
    ET.SubElement(view, "Header", value=f"annotate-kit scheme {scheme.version}", size="6")
    for layer in scheme.layers.values():
        ET.SubElement(view, "Header", value=_layer_title(layer.key), size="5")
        labels = ET.SubElement(
            view, "Labels", name=layer.key, toName=TEXT_TAG, showInline="true", choice="single"
        )
        if layer.label_vocab is not None:
            for label in scheme.vocabularies[layer.label_vocab].labels:
                _label(labels, label)
        elif layer.fixed_label:
            ET.SubElement(
                labels,
                "Label",
                value=layer.fixed_label,
                hint=layer.description,
                background="#ffb703",
            )
    relations = ET.SubElement(view, "Relations")
    relations.set("name", RELATIONS_TAG)
    for label in scheme.vocabularies["relation_type"].labels:
        ET.SubElement(relations, "Relation", value=label.name, hint=label.description)
    ET.SubElement(view, "Text", name=TEXT_TAG, value=f"${TEXT_TAG}", granularity="symbol")
    for layer in scheme.layers.values():
        if not layer.attributes:
            continue
        # Label Studio checks a required per-region Choices against every region and skips a
        # region only by the Choices tag's own when* attributes: on the wrapping View alone they
        # hide the radios but every entity and cue then fails Submit ("… is required").
        region_only = {
            "visibleWhen": "region-selected",
            "whenTagName": layer.key,
            "whenLabelValue": layer.fixed_label or "",
        }
        region_view = ET.SubElement(view, "View", region_only)
        for attribute, vocab_name in layer.attributes.items():
            vocab = scheme.vocabularies[vocab_name]
            ET.SubElement(region_view, "Header", value=vocab.title, size="6")
            choices = ET.SubElement(
                region_view,
                "Choices",
                region_only,
                name=attribute,
                toName=TEXT_TAG,
                perRegion="true",
                choice="single-radio",
                required="true",
                showInline="true",
            )
            for label in vocab.labels:
                ET.SubElement(
                    choices, "Choice", value=label.name, hint=f"{label.title}: {label.description}"
                )
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode")


def _label(parent: ET.Element, label: Label) -> None:
    attrs = {"value": label.name, "hint": f"{label.title}: {label.description}"}
    if label.color:
        attrs["background"] = label.color
    ET.SubElement(parent, "Label", attrs)


def _layer_title(key: str) -> str:
    return {"entities": "Entities", "claims": "Claims", "cues": "Cues"}.get(key, key)
