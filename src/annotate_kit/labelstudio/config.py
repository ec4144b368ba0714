"""The Label Studio labeling config, generated from the scheme.

Built with ElementTree so every label name, hint and title is XML-escaped by construction.
Control names follow scheme/tasks.py: a Labels control per layer, per-region Choices per attribute.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from annotate_kit.errors import InputError
from annotate_kit.scheme.schema import Label, Scheme, load_scheme
from annotate_kit.scheme.tasks import RELATIONS_TAG, TEXT_TAG

# Label Studio 1.23 draws every relation as an arrow with a label box over the text. Drawn
# only on demand: the relation pointed at in the Relations panel (Label Studio 1.23.2 gives
# its <g> a class with "_highlighted"), so no arrow or label covers the words otherwise.
# The page is two columns: the text, and beside it a sticky panel with the labels and the
# selected claim's attributes, so they are next to the claim without scrolling.
PAGE_CSS = """
.lsf-richtext__line, .htx-richtext { white-space: pre-wrap; }
.relations-overlay g { visibility: hidden; }
.relations-overlay g[class*="_highlighted"], .relations-overlay g[class*="_highlighted"] * { visibility: visible; }
.ak-page { display: flex; gap: 12px; align-items: flex-start; }
.ak-text { flex: 1 1 58%; min-width: 0; line-height: 1.7; }
.ak-side { flex: 0 0 40%; position: sticky; top: 0; max-height: 100vh; overflow-y: auto; }
.ak-side h4 { margin: 6px 0 2px !important; font-size: 14px !important; }
.ak-relations-help h4 + h4 { font-size: 12px !important; font-weight: normal !important; margin: 0 !important; }
"""


def labelstudio_config(scheme: Scheme | None = None, *, layers: Iterable[str] | None = None) -> str:
    """The XML labeling config for a project that annotates records of this scheme.

    ``layers`` restricts it to one pass of a layered workflow (labelstudio/passes.py): only those layers'
    label buttons and attributes, and the relation types that end in them. The other layers'
    labels stay in the config, hidden, so their regions (an earlier pass's gold, imported as
    predictions) are drawn in their colours and can be linked.
    """
    scheme = scheme or load_scheme()
    active = pass_layers(scheme, layers)
    view = ET.Element("View")
    ET.SubElement(view, "Style").text = PAGE_CSS
    page = ET.SubElement(view, "View", className="ak-page")
    text_column = ET.SubElement(page, "View", className="ak-text")
    ET.SubElement(text_column, "Text", name=TEXT_TAG, value=f"${TEXT_TAG}", granularity="symbol")
    side = ET.SubElement(page, "View", className="ak-side")
    # The selected claim's attributes first (shown only while a claim is selected), so they
    # sit at the top of the column, beside the claim; then the labels and relation types.
    for layer in scheme.layers.values():
        if not layer.attributes or layer.key not in active:
            continue
        # Label Studio checks a required per-region Choices against every region and skips a
        # region only by the Choices tag's own when* attributes: on the wrapping View alone they
        # hide the radios but every entity and cue then fails Submit ("… is required").
        region_only = {
            "visibleWhen": "region-selected",
            "whenTagName": layer.key,
            "whenLabelValue": layer.fixed_label or "",
        }
        region_view = ET.SubElement(side, "View", region_only)
        for attribute, vocab_name in layer.attributes.items():
            vocab = scheme.vocabularies[vocab_name]
            group = ET.SubElement(region_view, "View", className=f"ak-attr-{attribute}")
            ET.SubElement(group, "Header", value=vocab.title, size="6")
            choices = ET.SubElement(
                group,
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
    earlier = None
    for layer in scheme.layers.values():
        parent = side
        if layer.key not in active:  # drawn, not offered: a View the annotator never sees
            if earlier is None:
                earlier = ET.SubElement(side, "View", style="display: none")
            parent = earlier
        ET.SubElement(parent, "Header", value=_layer_title(layer.key), size="6")
        labels = ET.SubElement(
            parent, "Labels", name=layer.key, toName=TEXT_TAG, showInline="true", choice="single"
        )
        if layer.label_vocab is not None:
            for label in scheme.vocabularies[layer.label_vocab].labels:
                _label(labels, label)
        elif layer.fixed_label:
            attrs = {"value": layer.fixed_label, "hint": layer.description}
            attrs.update(_looks(layer.fixed_color, layer.fixed_hotkey))
            ET.SubElement(labels, "Label", attrs)
    relations = ET.SubElement(side, "Relations", choice="single")
    relations.set("name", RELATIONS_TAG)
    # Label Studio 1.23.2 shows no hint for a <Relation>: each type's hint is written out below
    # the labels instead, one line per type.
    legend = ET.SubElement(side, "View", className="ak-relations-help")
    ET.SubElement(
        legend, "Header", value="Relations: select a region, Alt+R, click the other", size="6"
    )
    for label in scheme.vocabularies["relation_type"].labels:
        if set(label.extra.get("x-tail", ())) & active:  # a relation belongs to its tail's pass
            ET.SubElement(relations, "Relation", value=label.name)
            ET.SubElement(legend, "Header", value=f"{label.name}: {label.description}", size="6")
    ET.indent(view, space="  ")
    return ET.tostring(view, encoding="unicode")


def pass_layers(scheme: Scheme, layers: Iterable[str] | None) -> frozenset[str]:
    """The layers one pass annotates (all when None); an unknown name is an InputError."""
    if layers is None:
        return frozenset(scheme.layers)
    wanted = frozenset(layers)
    unknown = sorted(wanted - set(scheme.layers))
    if unknown or not wanted:
        raise InputError(
            f"--pass {','.join(sorted(wanted))}: unknown layer {', '.join(unknown) or '(none)'}; "
            f"choose among {', '.join(scheme.layers)}"
        )
    return wanted


def _label(parent: ET.Element, label: Label) -> None:
    attrs = {"value": label.name, "hint": f"{label.title}: {label.description}"}
    attrs.update(_looks(label.color, label.hotkey))
    ET.SubElement(parent, "Label", attrs)


def _looks(color: str | None, hotkey: str | None) -> dict[str, str]:
    """A label's colour and hotkey, as schema/ declares them next to its definition."""
    looks = {}
    if color:
        looks["background"] = color
    if hotkey:
        looks["hotkey"] = hotkey
    return looks


def _layer_title(key: str) -> str:
    return {"entities": "Entities", "claims": "Claims", "cues": "Cues"}.get(key, key)
