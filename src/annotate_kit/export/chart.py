"""The card's chart: gold spans per label next to how far annotators agreed on that label.

Drawn with Pillow (already installed with label-studio-sdk; declared in pyproject) rather
than matplotlib, which would add ~40 MB for one bar chart. Bar colours are the labels'
colours in schema/, the ones annotators see in Label Studio.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from annotate_kit._text import counted
from annotate_kit.agreement.spans import AgreementReport
from annotate_kit.scheme.schema import Scheme, load_scheme

WIDTH = 980
ROW = 26
LEFT, COUNTS, COUNTS_END, AGREE, AGREE_END = 16, 200, 470, 520, 760
GREY, INK, FAINT = "#8d99ae", "#1d1d1d", "#e9ecef"
METRICS = (("exact F1", "#264653"), ("overlap F1", "#2a9d8f"), ("alpha_U", "#e9c46a"))


def chart_rows(
    totals: dict[str, Counter], agreement: AgreementReport | None, scheme: Scheme | None = None
) -> list[tuple[str, str, str, int, tuple[float | None, ...]]]:
    """(layer, label, colour, gold count, (exact F1, overlap F1, alpha_U)) per label."""
    scheme = scheme or load_scheme()
    rows = []
    for key, layer in scheme.layers.items():
        for label in scheme.layer_labels(key):
            if layer.label_vocab:
                count = totals.get(f"{key}.label", Counter())[label]
                colour = scheme.vocabularies[layer.label_vocab].get(label).color or GREY
            else:  # claims: one label; count any attribute, every claim has each
                first = next(iter(layer.attributes), "")
                count = sum(totals.get(f"{key}.{first}", Counter()).values())
                colour = GREY
            scores: tuple[float | None, ...] = (None, None, None)
            if agreement is not None and agreement.compared:
                row = agreement.overall.row(key, label)
                scores = (row.exact_f1, row.overlap_f1, row.alpha_u)
            rows.append((key, label, colour, count, scores))
    return rows


def write_chart(
    path: Path, *, totals: dict[str, Counter], agreement: AgreementReport | None
) -> None:
    from PIL import Image, ImageDraw

    rows = chart_rows(totals, agreement)
    layers = list(dict.fromkeys(r[0] for r in rows))
    height = 90 + ROW * (len(rows) + len(layers)) + 20
    compared = agreement.compared if agreement is not None else 0
    # Nothing to compare (one annotator): the counts alone, no half of empty agreement bars.
    width = WIDTH if compared else COUNTS_END + 80
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, bold = _font(13), _font(15)
    title = "Gold spans per label, and inter-annotator agreement on it"
    draw.text((LEFT, 12), title if compared else "Gold spans per label", fill=INK, font=bold)
    note = (
        f"agreement over {counted(compared, 'document')} with two or more annotators"
        if compared
        else "no document has two annotators: no agreement to show"
    )
    draw.text((LEFT, 34), note, fill=GREY, font=font)
    draw.text((COUNTS, 62), "gold spans", fill=INK, font=font)
    x = AGREE
    for name, colour in METRICS if compared else ():
        draw.rectangle((x, 66, x + 10, 76), fill=colour)
        draw.text((x + 14, 62), name, fill=INK, font=font)
        x += 100
    top = max(r[3] for r in rows) or 1
    y = 90
    for layer in layers:
        draw.text((LEFT, y + 5), layer, fill=INK, font=bold)
        draw.line((LEFT, y + ROW - 2, width - LEFT, y + ROW - 2), fill=FAINT)
        y += ROW
        for _, label, colour, count, scores in (r for r in rows if r[0] == layer):
            draw.text((LEFT + 12, y + 5), label, fill=INK, font=font)
            span = int((COUNTS_END - COUNTS) * count / top)
            draw.rectangle((COUNTS, y + 5, COUNTS + max(span, 1), y + ROW - 7), fill=colour)
            draw.text((COUNTS + span + 6, y + 5), str(count), fill=INK, font=font)
            if compared:
                _scores(draw, y, scores, font)
            y += ROW
    image.save(path, format="PNG", optimize=True)


def _scores(draw: Any, y: int, scores: tuple[float | None, ...], font: Any) -> None:
    """A label's three agreement bars and their figures."""
    for n, ((_, colour), value) in enumerate(zip(METRICS, scores, strict=True)):
        bar_y = y + 4 + n * 6
        draw.rectangle((AGREE, bar_y, AGREE_END, bar_y + 4), fill=FAINT)
        if value is not None:
            length = int((AGREE_END - AGREE) * min(max(value, 0.0), 1.0))
            draw.rectangle((AGREE, bar_y, AGREE + length, bar_y + 4), fill=colour)
    shown = " / ".join("n/a" if v is None else f"{v:.2f}" for v in scores)
    draw.text((AGREE_END + 10, y + 5), shown, fill=INK, font=font)


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)  # FreeType build: a scalable font
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()
