"""An annotator in a real browser: the seed task, pre-annotated, annotated with the mouse.

Headless Chromium (Debian's package, driven by Playwright) against the session's Label
Studio: log in, open the task, check every predicted region is on the page, draw an entity
and a cue, make a claim and set its four attributes, link the cue to the claim, Submit;
pull and validate what came back; change one attribute and Update. Screenshots go to
$ANNOTATE_KIT_SCREENSHOTS when set (docs/img/ is made from them), else to tmp_path.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.documents.convert import convert
from annotate_kit.labelstudio.project import push
from browser_support import (
    choose,
    chromium,
    click_region,
    data_manager_columns,
    deselect,
    draw_span,
    hotkeys_shown,
    in_view,
    link,
    log_in,
    open_task,
    regions,
    relations,
    require_browser,
    type_last_relation,
)

pytestmark = [pytest.mark.labelstudio, pytest.mark.browser]
SEED = Path(__file__).parents[2] / "seeds" / "kremlin-emissaires-americains.fr.txt"
ANNOTATIONS = re.compile(r"/api/tasks/(\d+)/annotations/?(\?.*)?$")
ANNOTATION = re.compile(r"/api/annotations/(\d+)/?(\?.*)?$")


def _span(text: str, phrase: str, *, after: int = 0) -> tuple[int, int]:
    start = text.index(phrase, after)
    return start, start + len(phrase)


def _delete_drafts(url: str, token: str, task_id: int) -> None:
    headers = {"Authorization": f"Token {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        drafts = http.get(f"/api/tasks/{task_id}/drafts")
        drafts.raise_for_status()
        for draft in drafts.json():
            http.delete(f"/api/drafts/{draft['id']}/").raise_for_status()


def test_annotator_draws_submits_and_updates_in_chromium(
    ls_env, ls_project, label_studio, tmp_path
):
    require_browser()  # before any set-up: skip (or fail in CI) with the reason
    shots = Path(os.environ.get("ANNOTATE_KIT_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    tasks = tmp_path / "tasks.json"
    convert([SEED], out=tasks, preannotate=True)
    (task,) = json.loads(tasks.read_text(encoding="utf-8"))
    text = task["data"]["text"]
    predicted = task["predictions"][0]["result"]
    predicted_regions = {r["id"] for r in predicted if r["type"] == "labels"}
    predicted_relations = [r for r in predicted if r["type"] == "relation"]
    pushed = push(tasks, project=ls_project, progress=False)
    assert pushed.created == 1
    admin = label_studio.client()
    (task_id,) = [t.id for t in admin.tasks.list(project=pushed.project_id, fields="task_only")]
    _delete_drafts(label_studio.url, label_studio.token, task_id)

    who = label_studio.annotator
    with chromium(tmp_path / "profile") as page:
        log_in(page, label_studio.url, email=who.username, password=who.password)
        open_task(page, label_studio.url, project_id=pushed.project_id, task_id=task_id)
        page.wait_for_function(
            "n => window.Htx.annotationStore.selected.regionStore.regions.length >= n",
            arg=len(predicted_regions),
        )
        in_store = page.evaluate(
            """() => { const s = window.Htx.annotationStore;
                 return {prediction: s.predictions[0].regionStore.regions.length,
                         annotation: s.selected.regionStore.regions.length,
                         relations: s.selected.relationStore.relations.length}; }"""
        )
        assert in_store == {
            "prediction": len(predicted_regions),
            "annotation": len(predicted_regions),
            "relations": len(predicted_relations),
        }
        page.screenshot(path=shots / "labeling-page.png")

        entity_at = _span(text, "émissaires américains")
        cue_at = _span(text, "nouvelle étape diplomatique")
        claim_at = (text.index("marquant une"), _span(text, "guerre en Ukraine")[1])
        entity = draw_span(page, text, *entity_at, "PER")
        cue = draw_span(page, text, *cue_at, "PEACOCK")
        claim = draw_span(page, text, *claim_at, "CLAIM")
        drawn = {"entity": entity, "cue": cue, "claim": claim}
        for made, (start, end) in zip(drawn.values(), (entity_at, cue_at, claim_at), strict=True):
            assert (made["start"], made["end"], made["text"]) == (start, end, text[start:end])

        deselect(page)
        click_region(page, claim["id"])
        for value in ("AUTHOR", "NONE", "CT+", "UFS"):
            choose(page, value)
        claim_element = (
            "window.Htx.annotationStore.selected.regionStore.regions"
            f".find(r => r.id === {json.dumps(claim['id'])}).getRegionElement()"
        )
        page.evaluate(f"() => {claim_element}.scrollIntoView({{block: 'center'}})")
        # the claim and its four attributes, each under its name, on screen together
        assert in_view(page, claim_element)
        for attribute in ("source_kind", "attribution_kind", "factuality", "check_worthiness"):
            assert in_view(page, f"document.querySelector('.ak-attr-{attribute}')"), attribute
        shown = hotkeys_shown(page)
        assert len(shown) == len(set(shown)) > 30, sorted(shown)  # labels' and choices'
        page.screenshot(path=shots / "selected-claim.png")
        link(page, cue["id"], claim["id"])
        type_last_relation(page, "SCOPES_OVER")
        assert relations(page)[-1] == {
            "head": cue["cleanId"],
            "tail": claim["cleanId"],
            "labels": ["SCOPES_OVER"],
        }
        assert len(regions(page)) == len(predicted_regions) + 3

        with page.expect_response(
            lambda r: r.request.method == "POST" and ANNOTATIONS.search(r.url)
        ) as submitted:
            page.get_by_role("button", name="Submit").click()
        assert submitted.value.status == 201, submitted.value.text()
        annotation_id = submitted.value.json()["id"]

        records = tmp_path / "records.jsonl"
        runner = CliRunner()
        pulled = runner.invoke(main, ["pull", "--project", ls_project, "-o", str(records)])
        assert pulled.exit_code == 0, pulled.output
        validated = runner.invoke(main, ["validate", str(records)])
        assert validated.exit_code == 0, validated.output
        (record,) = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
        assert record["annotation"]["annotator"] == who.username
        spans = {s["id"]: s for layer in ("entities", "cues", "claims") for s in record[layer]}
        for made in drawn.values():
            span = spans[made["cleanId"]]
            assert record["text"][span["start"] : span["end"]] == span["text"] == made["text"]
        assert spans[entity["cleanId"]]["label"] == "PER"
        assert spans[cue["cleanId"]]["label"] == "PEACOCK"
        assert {k: spans[claim["cleanId"]][k] for k in ("source_kind", "factuality")} == {
            "source_kind": "AUTHOR",
            "factuality": "CT+",
        }
        assert {
            "type": "SCOPES_OVER",
            "head": cue["cleanId"],
            "tail": claim["cleanId"],
        }.items() <= next(r for r in record["relations"] if r["head"] == cue["cleanId"]).items()

        # change one attribute of the claim, then Update
        deselect(page)
        click_region(page, claim["cleanId"])
        choose(page, "CFS")
        with page.expect_response(
            lambda r: r.request.method in {"PATCH", "PUT"} and ANNOTATION.search(r.url)
        ) as updated:
            page.locator("button", has_text=re.compile(r"^\s*Update\s*$")).click()
        assert updated.value.status == 200, updated.value.text()

        columns = data_manager_columns(page, label_studio.url, pushed.project_id)
        assert {"doc_id", "title", "outlet", "text"} <= set(columns), columns
        assert not {"text_sha256", "blocks", "schema_version", "meta"} & set(columns), columns
        page.screenshot(path=shots / "data-manager.png")

    again = runner.invoke(main, ["pull", "--project", ls_project, "-o", str(records)])
    assert again.exit_code == 0, again.output
    (record,) = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    assert record["annotation"]["id"] == str(annotation_id)
    claim_span = next(s for s in record["claims"] if s["id"] == claim["cleanId"])
    assert claim_span["check_worthiness"] == "CFS"
