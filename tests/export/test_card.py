"""A card a researcher trusts: real sizes, the licence given, no internal schema keys, every
field with a meaning, a snippet that loads from where the user stands, an honest chart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from annotate_kit.cli.main import main
from annotate_kit.export import chart

GOLD = Path(__file__).parents[2] / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The seed gold exported with a relative -o and a licence, from a folder of its own."""
    home = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(home)
        result = CliRunner().invoke(
            main, ["export", str(GOLD), "-o", "exports/seed", "--license", "cc-by-4.0"]
        )
    assert result.exit_code == 0, result.output
    folder = home / "exports" / "seed"
    return folder, folder.joinpath("README.md").read_text(encoding="utf-8"), result.stderr


def _yaml(card: str) -> dict:
    return yaml.safe_load(card.split("---\n")[1])


def test_every_split_has_its_real_size(exported):
    folder, card, _ = exported
    infos = _yaml(card)["dataset_info"]
    assert {info["config_name"] for info in infos} == {"default", "annotations", "bio"}
    for info in infos:
        for split in info["splits"]:
            assert split["num_bytes"] > 0, info["config_name"]
            files = list((folder / "data" / info["config_name"]).glob(f"{split['name']}-*"))
            assert files  # a size for data that is there


def test_the_licence_is_the_one_given_and_unknown_is_warned(exported, tmp_path):
    _, card, stderr = exported
    assert _yaml(card)["license"] == "cc-by-4.0"
    assert "licence" not in stderr
    result = CliRunner().invoke(main, ["export", str(GOLD), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 0, result.output
    assert "warning: the licence is 'unknown'" in result.stderr
    assert "--license" in result.stderr


def test_no_internal_schema_keys_and_every_field_has_a_meaning(exported):
    _, card, _ = exported
    body = card.split("---\n", 2)[2]
    assert not re.search(r"(?<![\w-])x-[a-z]", body), re.findall(r".{30}x-[a-z].{30}", body)
    fields = body.split("## Fields", 1)[1].split("## Labels", 1)[0]
    rows = [line for line in fields.splitlines() if line.startswith("| `")]
    assert len(rows) > 40
    empty = [row for row in rows if row.rstrip().endswith("|  |")]
    assert not empty


def test_the_snippet_loads_from_where_the_user_stands(exported, monkeypatch):
    folder, card, _ = exported
    assert 'load_dataset("exports/seed")' in card
    snippet = card.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(folder.parents[1])
    scope: dict = {}
    exec(compile(snippet.replace("print(", "str("), "card", "exec"), scope)  # noqa: S102
    assert scope["gold"]["train"].num_rows == 1
    assert scope["tokens"]["train"].num_rows == 1


def test_an_absolute_output_gives_an_absolute_snippet(tmp_path):
    out = tmp_path / "abs"
    result = CliRunner().invoke(main, ["export", str(GOLD), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"load_dataset({json.dumps(str(out))})" in (out / "README.md").read_text()


def test_one_annotator_gives_a_chart_without_an_empty_half(exported):
    folder, card, _ = exported
    assert "agreement cannot be computed" in card
    with Image.open(folder / "agreement.png") as image:
        assert image.width == chart.COUNTS_END + 80 < chart.WIDTH
