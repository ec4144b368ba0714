"""pull against a real Label Studio: offsets, annotators, skips, drafts, incremental pulls."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.labelstudio import project as labelstudio
from annotate_kit.labelstudio import server
from annotate_kit.labelstudio.project import pull, push
from annotate_kit.scheme.records import doc_id_for, text_sha256
from annotate_kit.validate.checks import check_record

pytestmark = pytest.mark.labelstudio

# An emoji and a mathematical letter (both outside the BMP: 2 UTF-16 units each), CRLF line
# ends (2 code points), a combining accent and a no-break space, before and inside spans.
TRICKY = (
    "Titre 😀 𝔘ne journée\r\n\r\n"
    "Le maire de Nante\u0301s a rencontré l\u2019\U0001d518nion européenne à Paris\u00a0🎉.\r\n"
    "Selon 𝔘lysse Dupont, 2 000 personnes étaient là."
)


def task_for(text: str) -> dict:
    data = {"text": text, "doc_id": doc_id_for(text), "lang": "fr"}
    return {"data": {**data, "text_sha256": text_sha256(text), "schema_version": "1.0.0"}}


def entity(text: str, surface: str, label: str, region: str) -> dict:
    start = text.index(surface)
    value = {"start": start, "end": start + len(surface), "text": surface, "labels": [label]}
    return {
        "id": region,
        "from_name": "entities",
        "to_name": "text",
        "type": "labels",
        "value": value,
    }


def task_ids(client, project_id: int) -> list[int]:
    return [t.id for t in client.tasks.list(project=project_id, fields="task_only")]


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_offsets_with_emoji_non_bmp_and_crlf_survive(ls_env, ls_project, label_studio, tmp_path):
    summary = push([task_for(TRICKY)], project=ls_project, progress=False)
    client = label_studio.client()
    (task_id,) = task_ids(client, summary.project_id)
    surfaces = [
        ("Nante\u0301s", "LOC", "e1"),
        ("\U0001d518nion européenne", "ORG", "e2"),
        ("Paris", "LOC", "e3"),
        ("𝔘lysse Dupont", "PER", "e4"),
        ("2 000 personnes", "QUANTITY", "e5"),
    ]
    result = [entity(TRICKY, *spec) for spec in surfaces]
    client.annotations.create(id=task_id, result=result)
    assert client.annotations.list(id=task_id)[0].result == result  # stored as sent

    out = tmp_path / "records.jsonl"
    pull(project=ls_project, out=out)
    (record,) = read_records(out)
    assert record["text"] == TRICKY
    assert [(s["text"], s["label"]) for s in record["entities"]] == [s[:2] for s in surfaces]
    for span in record["entities"]:
        assert TRICKY[span["start"] : span["end"]] == span["text"]
        utf16_start = len(TRICKY[: span["start"]].encode("utf-16-le")) // 2
        assert utf16_start != span["start"]  # UTF-16 offsets would have drifted here
    assert check_record(record) == []


def test_every_annotator_skips_ground_truth_and_lead_time_are_kept(
    ls_env, ls_project, label_studio, tmp_path
):
    texts = ["Le Kremlin a parlé.", "Moscou a répondu."]
    summary = push([task_for(t) for t in texts], project=ls_project, progress=False)
    admin, other = label_studio.client(), label_studio.client(label_studio.annotator)
    first, second = task_ids(admin, summary.project_id)
    admin.annotations.create(
        id=first,
        result=[entity(texts[0], "Kremlin", "ORG", "a")],
        lead_time=12.5,
        ground_truth=True,
    )
    other.annotations.create(
        id=first, result=[entity(texts[0], "Kremlin", "LOC", "b")], lead_time=3
    )
    admin.annotations.create(id=second, result=[entity(texts[1], "Moscou", "ORG", "c")])
    other.annotations.create(id=second, result=[], was_cancelled=True)

    out = tmp_path / "records.jsonl"
    result = CliRunner().invoke(main, ["pull", "--project", ls_project, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"project {ls_project!r} (id {summary.project_id}): 2 annotated tasks, "
        f"4 annotations (1 cancelled) -> {out}: 4 records\n"
    )
    ids = {  # annotators by e-mail, the identity drafts carry too
        label_studio.admin.username: "admin",
        label_studio.annotator.username: "other",
    }
    seen = {(r["doc_id"], ids[r["annotation"]["annotator"]]): r for r in read_records(out)}
    assert set(seen) == {(doc_id_for(t), who) for t in texts for who in ("admin", "other")}
    kremlin_admin = seen[doc_id_for(texts[0]), "admin"]["annotation"]
    assert kremlin_admin["ground_truth"] is True
    assert kremlin_admin["lead_time"] == 12.5
    assert kremlin_admin["created_at"].endswith("Z")
    assert kremlin_admin["origin"] == "manual"
    assert seen[doc_id_for(texts[0]), "other"]["entities"][0]["label"] == "LOC"
    skipped = seen[doc_id_for(texts[1]), "other"]
    assert skipped["annotation"]["cancelled"] is True
    assert skipped["entities"] == skipped["claims"] == skipped["cues"] == []
    validated = CliRunner().invoke(main, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output


def test_incremental_pull_fetches_only_changed_tasks(
    ls_env, ls_project, label_studio, tmp_path, monkeypatch
):
    monkeypatch.setattr(labelstudio, "WATERMARK_MARGIN", timedelta(0))
    texts = ["Paris brille.", "Lyon dort.", "Nice chante."]
    summary = push([task_for(t) for t in texts], project=ls_project, progress=False)
    client = label_studio.client()
    tasks = task_ids(client, summary.project_id)
    made = [
        client.annotations.create(id=task, result=[entity(text, text.split()[0], "LOC", "x")])
        for task, text in zip(tasks, texts, strict=True)
    ]
    out, state = tmp_path / "records.jsonl", tmp_path / "pull-state.json"
    time.sleep(1.1)  # the watermark has a resolution of one second (HTTP Date header)
    first = pull(project=ls_project, out=out, state_file=state)
    assert (first.tasks, first.records, first.since) == (3, 3, None)

    time.sleep(1.1)
    client.annotations.update(id=made[1].id, result=[entity(texts[1], "Lyon", "ORG", "x")])
    client.annotations.delete(id=made[2].id)
    time.sleep(1.1)
    second = pull(project=ls_project, out=out, state_file=state)
    assert second.since == first.watermark
    assert (second.tasks, second.annotations, second.records) == (2, 1, 2)
    labels = {r["doc_id"]: r["entities"][0]["label"] for r in read_records(out)}
    assert labels == {doc_id_for(texts[0]): "LOC", doc_id_for(texts[1]): "ORG"}

    third = pull(project=ls_project, out=out, state_file=state)
    assert (third.tasks, third.records) == (0, 2)
    assert json.loads(state.read_text())["watermark"] == third.watermark

    out.unlink()  # a state file without its output: everything is fetched again
    fourth = pull(project=ls_project, out=out, state_file=state)
    assert (fourth.since, fourth.tasks, fourth.records) == (None, 2, 2)


def test_drafts_only_when_asked(ls_env, ls_project, label_studio, tmp_path):
    text = "Le Kremlin se tait."
    summary = push([task_for(text)], project=ls_project, progress=False)
    (task_id,) = task_ids(label_studio.client(), summary.project_id)
    draft = {"result": [entity(text, "Kremlin", "ORG", "d")], "lead_time": 4.0}
    answer = httpx.post(
        f"{label_studio.url}/api/tasks/{task_id}/drafts",
        json=draft,
        headers={"Authorization": f"Token {label_studio.token}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    out = tmp_path / "records.jsonl"
    assert pull(project=ls_project, out=out).records == 0
    with_drafts = pull(project=ls_project, out=out, include_drafts=True)
    assert (with_drafts.records, with_drafts.drafts) == (1, 1)
    (record,) = read_records(out)
    assert record["annotation"]["id"] == f"draft-{answer.json()['id']}"
    assert record["entities"][0]["text"] == "Kremlin"
    label_studio.client().annotations.create(
        id=task_id, result=[entity(text, "Kremlin", "ORG", "s")]
    )
    pull(project=ls_project, out=out, include_drafts=True)
    # a draft and a submitted annotation of the same user name the same annotator: the e-mail
    assert {r["annotation"]["annotator"] for r in read_records(out)} == {
        label_studio.admin.username
    }
    assert len(read_records(out)) == 2


def test_pull_reads_in_bounded_pieces(ls_env, ls_project, label_studio, tmp_path):
    """Several snapshot pieces, gaps between task ids skipped, nothing read twice."""
    summary = push([task_for(f"Paris {i}.") for i in range(7)], project=ls_project, progress=False)
    client = label_studio.client()
    tasks = task_ids(client, summary.project_id)
    for task in tasks[::2]:  # tasks 0, 2, 4, 6 annotated: gaps of unannotated ids between
        client.annotations.create(id=task, result=[entity("Paris", "Paris", "LOC", "p")])
    pulled = pull(project=ls_project, out=tmp_path / "r.jsonl", piece_size=2)
    assert (pulled.tasks, pulled.records, pulled.pieces) == (4, 4, 4)
    assert (
        sorted(r["annotation"]["task_id"] for r in read_records(tmp_path / "r.jsonl")) == tasks[::2]
    )


def test_server_temp_files_stay_in_its_data_dir(label_studio, tmp_path):
    """Label Studio leaves temporary files behind (one per snapshot export, deleted later or
    not): they go to the data dir's tmp/, cleared at each start, not to the machine's /tmp,
    where CI once ran out of space."""
    environ = Path(f"/proc/{label_studio.process.process.pid}/environ").read_bytes()
    temp = label_studio.data_dir / server.TMP_NAME
    assert f"TMPDIR={temp}".encode() in environ.split(b"\0")
    assert temp.is_dir()
    assert server.child_env(tmp_path, label_studio.admin)["TMPDIR"] == str(
        tmp_path / server.TMP_NAME
    )
