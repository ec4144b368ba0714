"""convert: formats in, stable ids, exact text, clean failures with no half-written output."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.documents.convert import convert, iter_documents, line_blocks
from annotate_kit.errors import InputError
from annotate_kit.scheme.records import doc_id_for

DATA = Path(__file__).parents[1] / "data" / "convert"
SEED = Path(__file__).parents[2] / "seeds" / "kremlin-emissaires-americains.fr.txt"


def test_txt_keeps_text_exactly_and_finds_headings():
    (record,) = iter_documents([DATA / "article.txt"])
    raw = (DATA / "article.txt").read_text(encoding="utf-8")
    assert record["text"] == raw
    assert record["doc_id"] == doc_id_for(raw)
    assert record["lang"] == "fr"
    kinds = [(raw[b["start"] : b["end"]], b["kind"]) for b in record["blocks"]]
    assert kinds == [
        ("Un titre court", "heading"),
        ("Selon le Kremlin, la réunion a été utile.", "paragraph"),
        ("Un autre paragraphe, plus long, qui se termine par un point.", "paragraph"),
    ]


def test_seed_headings_are_blocks():
    (record,) = iter_documents([SEED])
    headings = [
        record["text"][b["start"] : b["end"]] for b in record["blocks"] if b["kind"] == "heading"
    ]
    assert headings == [
        "Une rencontre discrète mais stratégique",
        "L’Ukraine et la question territoriale au cœur des échanges",
        "Vers une poursuite des discussions",
        "Un climat international toujours tendu",
        "Une étape sans annonce majeure",
    ]


def test_jsonl_keeps_other_fields_as_metadata():
    first, second = iter_documents([DATA / "corpus.jsonl"])
    assert first["lang"] == "en"
    assert first["meta"]["title"] == "Deal"
    assert first["meta"]["url"] == "https://example.org/deal"
    assert first["meta"]["extra"] == {"source": "wire"}
    assert first["meta"]["source_file"] == f"{DATA / 'corpus.jsonl'}:1"
    assert second["meta"]["extra"] == {"id": 42}
    assert second["meta"]["source_file"].endswith("corpus.jsonl:3")
    assert second["lang"] == "fr"


def test_html_main_text_and_structure():
    (record,) = iter_documents([DATA / "article.html"])
    text = record["text"]
    assert "Accueil" not in text
    assert "© Le Journal" not in text
    assert text.splitlines()[0] == "Le sommet de Genève"
    assert "qualifiée d’« utile » par le Kremlin" in text
    assert [b["kind"] for b in record["blocks"]] == ["heading", "paragraph", "heading", "paragraph"]
    assert record["meta"]["outlet"] == "Le Journal"


def test_markdown_heading_markup_is_kept_and_is_a_heading():
    (record,) = iter_documents([DATA / "notes.md"])
    assert record["text"].startswith("# Titre\n")
    assert record["blocks"][0] == {"start": 0, "end": 7, "kind": "heading"}


def test_nfc_normalisation_is_recorded(tmp_path: Path):
    path = tmp_path / "nfd.txt"
    path.write_text(
        unicodedata.normalize(
            "NFD", "Le ministre a été clair et il a dit que la réunion était utile."
        ),
        encoding="utf-8",
    )
    (record,) = iter_documents([path])
    assert unicodedata.is_normalized("NFC", record["text"])
    assert record["meta"]["normalization"] == "NFC"


def test_crlf_is_kept_and_blocks_match(tmp_path: Path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("Titre\r\n\r\nLe texte est là.\r\n".encode())
    (record,) = iter_documents([path])
    assert record["text"] == "Titre\r\n\r\nLe texte est là.\r\n"
    assert [record["text"][b["start"] : b["end"]] for b in record["blocks"]] == [
        "Titre",
        "Le texte est là.",
    ]


def test_rerun_gives_identical_output(tmp_path: Path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    convert([DATA], out=first)
    convert([DATA], out=second)
    assert first.read_bytes() == second.read_bytes()
    tasks = json.loads(first.read_text())
    assert len(tasks) == 5
    assert len({t["data"]["doc_id"] for t in tasks}) == 5


def test_directory_walk_skips_gold_and_guidelines(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Le Kremlin a annoncé la fin de la réunion.", encoding="utf-8")
    (tmp_path / "a.gold.jsonl").write_text(
        '{"text": "Le Kremlin a annoncé la fin de la réunion."}\n', encoding="utf-8"
    )
    (tmp_path / "GUIDELINES.md").write_text("# Guidelines\n", encoding="utf-8")
    assert [r["meta"]["source_file"] for r in iter_documents([tmp_path])] == [
        str(tmp_path / "a.txt")
    ]


def test_same_text_twice_is_one_task(tmp_path: Path):
    (tmp_path / "in").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "in" / name).write_text(
            "Le Kremlin a annoncé la fin de la réunion.", encoding="utf-8"
        )
    summary = convert([tmp_path / "in"], out=tmp_path / "out.jsonl")
    assert (summary.documents, summary.tasks, len(summary.duplicates)) == (2, 1, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"  \n\n", "empty.txt: empty document"),
        (
            "latin1.txt",
            "Première ligne\nDeuxième\xe9".encode("latin-1"),
            "latin1.txt:1: cannot decode byte 0xe8 at offset 5 as utf-8; if the file has another encoding, pass e.g. --encoding latin-1",
        ),
        ("bad.jsonl", b'{"text": "ok"}\n{"text": \n', "bad.jsonl:2: invalid JSON"),
        (
            "notext.jsonl",
            b'{"body": "x"}\n',
            'notext.jsonl:1: expected an object with a "text" string field',
        ),
        ("page.pdf", b"%PDF", "unsupported file type .pdf"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, name: str, content: bytes, message: str
):
    good = tmp_path / "good.txt"
    good.write_text("Le Kremlin a annoncé la fin de la réunion.", encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    out = tmp_path / "tasks.json"
    result = CliRunner().invoke(main, ["convert", str(good), str(tmp_path / name), "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.startswith("Error: [E200]")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging


def test_latin1_hint_works(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Le ministre a été clair.".encode("latin-1"))
    (record,) = iter_documents([path], encoding="latin-1")
    assert record["text"] == "Le ministre a été clair."


def test_missing_file():
    with pytest.raises(InputError, match=r"nope\.txt: no such file or directory"):
        list(iter_documents(["nope.txt"]))


def test_cli_stdout_jsonl_and_summary_on_stderr():
    result = CliRunner().invoke(main, ["convert", str(DATA / "article.txt"), "-o", "-"])
    assert result.exit_code == 0
    task = json.loads(result.stdout.splitlines()[0])
    assert set(task["data"]) == {
        "text",
        "doc_id",
        "lang",
        "text_sha256",
        "schema_version",
        "meta",
        "blocks",
    }
    assert result.stderr == "1 task from 1 document in 1 file -> stdout\n"


def test_line_blocks_ignore_blank_lines():
    assert line_blocks("\n\n") == []


def test_jsonl_streams_line_by_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Never the whole file at once; lines end at newlines only (JSON allows a raw U+2028
    in a string, which str.splitlines would cut); a BOM is dropped; a bad byte names its
    line and its offset in the file."""
    source = tmp_path / "docs.jsonl"
    first = '{"text": "Selon le Kremlin,\u2028la réunion a eu lieu."}\r\n'
    source.write_bytes(b"\xef\xbb\xbf" + first.encode() + b'{"text": "Moscou"}\n')

    def whole_file(self: Path) -> bytes:
        raise AssertionError(f"{self} read whole")

    monkeypatch.setattr(Path, "read_bytes", whole_file)
    docs = list(iter_documents([source]))
    assert [d["text"] for d in docs] == ["Selon le Kremlin,\u2028la réunion a eu lieu.", "Moscou"]
    monkeypatch.undo()
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"text": "ok"}\n{"text": "d\xe9j\xe0"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: cannot decode byte 0xe9 at offset 26 "):
        list(iter_documents([bad]))
    assert [d["text"] for d in iter_documents([bad], encoding="latin-1")] == ["ok", "déjà"]
