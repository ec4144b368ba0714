"""What annotators kept of a prediction: matched by region id, else by overlap."""

from __future__ import annotations

from annotate_kit.agreement.suggestions import SuggestionTally
from annotate_kit.scheme.records import new_record

TEXT = "Selon Le Monde, Paris pourrait voter."


def record(origin: str, entities: list[tuple], *, lead_time: float | None = None) -> dict:
    made = new_record(text=TEXT, lang="fr", annotation={"origin": origin, "lead_time": lead_time})
    for region, surface, label in entities:
        start = TEXT.index(surface)
        made["entities"].append(
            {
                "id": region,
                "start": start,
                "end": start + len(surface),
                "text": surface,
                "label": label,
            }
        )
    return made


def test_a_redrawn_region_matches_by_overlap_and_a_new_one_is_added():
    prediction = record("prediction", [("p1", "Le Monde", "ORG"), ("p2", "Paris", "LOC")])
    annotation = record(
        "manual",
        [("x9", "Monde", "ORG"), ("p2", "Paris", "LOC"), ("x1", "pourrait", "LOC")],
        lead_time=4.0,
    )
    tally = SuggestionTally()
    tally.add_task([prediction, annotation, record("manual", [], lead_time=None)])
    report = tally.result()
    rows = {(r.layer, r.label): r for r in report.rows}
    assert (rows["entities", "ORG"].changed, rows["entities", "ORG"].boundary) == (1, 1)
    assert rows["entities", "LOC"].kept == 1
    assert rows["entities", "LOC"].added == 1
    # the empty annotation deleted both predicted regions
    assert (rows["entities", "ORG"].share("changed"), rows["entities", "ORG"].deleted) == (0.5, 1)
    assert report.annotations == 2
    assert (report.lead_time_with, report.timed_with, report.lead_time_without) == (4.0, 1, None)


def test_without_a_prediction_only_lead_times_count():
    tally = SuggestionTally()
    tally.add_task([record("manual", [("e1", "Paris", "LOC")], lead_time=3.0)])
    report = tally.result()
    assert (report.rows, report.annotations, report.lead_time_without) == ((), 0, 3.0)
