"""Training on a tiny corpus: a loadable pipeline that pre-annotation uses, the same twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from annotate_kit.errors import PreannotationError, TrainingError
from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.training.data import TrainingData
from annotate_kit.training.loop import train_model
from training.tiny import tiny_records

FAST = {"max_epochs": 4, "patience": 2, "batch_size": 8, "base": "blank"}


def _data() -> TrainingData:
    records = tiny_records(24)
    return TrainingData("tiny", {"train": records[:18], "validation": records[18:]})


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("models") / "tiny-model"
    epochs = []
    result = train_model(_data(), out, seed=3, progress=epochs.append, **FAST)
    return result, epochs


def test_training_writes_a_spacy_pipeline_with_annotate_kit_metadata(trained):
    result, epochs = trained
    folder = result.model_dir
    assert {"config.cfg", "meta.json", "annotate_kit.json", "spancat"} <= {
        p.name for p in folder.iterdir()
    }
    nlp = spacy.load(folder)
    assert "spancat" in nlp.pipe_names
    meta = json.loads((folder / "annotate_kit.json").read_text("utf-8"))
    assert meta["scheme_version"] == "1.0.0"
    assert meta["layers"] == {
        "cues": {"component": "spancat", "labels": ["CONDITION", "DOXASTIC", "EPISTEMIC"]}
    }
    assert meta["data"]["train"]["documents"] == 18
    assert meta["data"]["train"]["cues"] == {"CONDITION": 2, "DOXASTIC": 4, "EPISTEMIC": 12}
    assert len(meta["data"]["fingerprint"]) == 64
    assert set(meta["validation_scores"]) == {"cues_p", "cues_r", "cues_f"}
    assert [e.epoch for e in epochs] == list(range(1, len(epochs) + 1))  # a line per epoch
    config = (folder / "config.cfg").read_text("utf-8")
    assert "train = null" in config  # the temporary training files are not referenced


def test_pre_annotation_uses_the_trained_model(trained):
    result, _ = trained
    pre = Preannotator(lang="en", models={"en": str(result.model_dir)}, suggest="model")
    record = tiny_records(1)[0]
    out = preannotate_batch([record], preannotator=pre)[0]
    version = out["annotation"]["model_version"]
    assert f"+tiny-model-{result.meta['data']['fingerprint'][:12]}+" in version
    assert version.endswith("+suggest-model")
    # the model's cues only: each with a spancat score, all of the model's labels
    assert out["cues"]
    assert all(
        "score" in c and c["label"] in {"CONDITION", "DOXASTIC", "EPISTEMIC"} for c in out["cues"]
    )
    assert all(c["text"] == out["text"][c["start"] : c["end"]] for c in out["cues"])


def test_same_seed_same_scores_and_same_predictions(trained, tmp_path: Path):
    first, first_epochs = trained
    again = train_model(_data(), tmp_path / "tiny-model", seed=3, **FAST)
    assert again.meta["validation_scores"] == first.meta["validation_scores"]
    assert [e.score for e in again.epochs] == [e.score for e in first_epochs]
    assert again.meta["data"]["fingerprint"] == first.meta["data"]["fingerprint"]
    a = spacy.load(first.model_dir)("The results may change next year.")
    b = spacy.load(again.model_dir)("The results may change next year.")
    assert [(s.text, s.label_) for s in a.spans["cues"]] == [
        (s.text, s.label_) for s in b.spans["cues"]
    ]
    assert list(a.spans["cues"].attrs["scores"]) == list(b.spans["cues"].attrs["scores"])


def test_the_kept_config_trains_again_as_ones_own(trained, tmp_path: Path):
    result, _ = trained
    again = train_model(
        _data(), tmp_path / "from-config", config=result.model_dir / "config.cfg", seed=3, **FAST
    )
    assert again.meta["validation_scores"] == result.meta["validation_scores"]


def test_a_model_for_another_scheme_version_is_refused(trained, tmp_path: Path):
    result, _ = trained
    copy = tmp_path / "old-model"
    import shutil

    shutil.copytree(result.model_dir, copy)
    meta = json.loads((copy / "annotate_kit.json").read_text("utf-8"))
    meta["scheme_version"] = "2.0.0"
    (copy / "annotate_kit.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(PreannotationError, match=r"trained for annotation scheme 2\.0\.0") as err:
        Preannotator(lang="en", models={"en": str(copy)})
    assert err.value.code == "E511"
    assert "Retrain it with `annotate-kit train`" in str(err.value)


def test_a_model_for_another_language_is_refused(trained):
    result, _ = trained
    with pytest.raises(PreannotationError, match="is for language 'en', not 'fr'"):
        Preannotator(lang="fr", models={"fr": str(result.model_dir)})


def test_nothing_to_learn_and_an_existing_output_are_errors(tmp_path: Path):
    records = tiny_records(4)
    for r in records:
        r["cues"] = []
    empty = TrainingData("empty", {"train": records, "validation": records})
    with pytest.raises(TrainingError, match="nothing to learn"):
        train_model(empty, tmp_path / "m", **FAST)
    (tmp_path / "exists").mkdir()
    with pytest.raises(TrainingError, match="--overwrite"):
        train_model(_data(), tmp_path / "exists", **FAST)


def test_french_entities_start_from_the_installed_pipeline(tmp_path: Path):
    """ner is fr_core_news_sm's own, trained further (new labels added as met); the other
    components come along frozen, so the rules still get tags, lemmas and parses."""
    seed = (
        Path(__file__).resolve().parents[2]
        / "seeds"
        / "kremlin-emissaires-americains.fr.gold.jsonl"
    )
    record = json.loads(seed.read_text("utf-8").splitlines()[0])
    data = TrainingData("seed", {"train": [record], "validation": [record]})
    result = train_model(
        data, tmp_path / "fr-model", layers=["entities"], max_epochs=2, batch_size=16, seed=0
    )
    assert result.meta["base"] == "fr_core_news_sm"
    assert set(result.meta["layers"]) == {"entities"}
    assert "DATE" in result.meta["layers"]["entities"]["labels"]  # not a label of the base
    nlp = spacy.load(result.model_dir)
    assert nlp.pipe_names == spacy.load("fr_core_news_sm").pipe_names
    assert "DATE" in nlp.get_pipe("ner").labels
    pre = Preannotator(lang="fr", models={"fr": str(result.model_dir)})
    out = preannotate_batch([record], preannotator=pre)[0]
    assert out["entities"]
    assert out["cues"]  # the rules still run on the trained pipeline
    assert "+fr-model-" in out["annotation"]["model_version"]
