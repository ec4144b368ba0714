"""The package layout keeps its promises (ARCHITECTURE.md): stages import one way, no cycles,
contracts in each stage's __init__.py, HTTP in labelstudio/ only, tests mirror the tree."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "annotate_kit"
# The order of ARCHITECTURE.md: a stage may import the base and the stages before it.
STAGES = [
    "scheme",
    "io",
    "preannotate",
    "engines",
    "documents",
    "labelstudio",
    "validate",
    "agreement",
    "export",
    "campaign",
    "training",
    "cli",
]
BASE = {"errors", "_pool", "_version", "_text"}
TOP = {"demo"}  # the whole loop on the seed, over every stage; only cli/ calls it
HTTP = ("httpx", "requests", "urllib3", "label_studio_sdk", "urllib.request", "http.client")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(("annotate_kit", *parts)).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (inside functions and
    TYPE_CHECKING blocks too: a cycle for types is still a cycle)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {target for target in _imports(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_tree_is_the_stages_of_architecture_md():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(STAGES)
    drawn = (ROOT / "ARCHITECTURE.md").read_text("utf-8")
    for stage in STAGES:
        assert re.search(rf"^{stage}/\s", drawn, re.MULTILINE), f"{stage}/ missing from the drawing"


def test_stages_import_only_the_base_and_earlier_stages():
    wrong = []
    for module, targets in _graph().items():
        stage = _stage(module)
        if stage not in STAGES:
            continue
        for target in targets:
            other = _stage(target)
            if other in STAGES and STAGES.index(other) > STAGES.index(stage):
                wrong.append(f"{module} -> {target}")
            elif other in TOP and stage != "cli":
                wrong.append(f"{module} -> {target} (only cli/ may call {other})")
            elif other not in STAGES and other not in BASE | TOP and other != "":
                wrong.append(f"{module} -> {target} (not a stage nor the base)")
    assert wrong == []


def test_nothing_outside_cli_imports_cli():
    assert [
        m for m, t in _graph().items() if _stage(m) != "cli" and any(_stage(x) == "cli" for x in t)
    ] == ["annotate_kit.__main__"]


def test_no_two_modules_import_each_other():
    graph = _graph()
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for target in graph[node]:
            if seen.get(target) == 1:
                cycles.append(stack[stack.index(target) :])
            elif target not in seen:
                visit(target)
        stack.pop()
        seen[node] = 2

    for node in graph:
        if node not in seen:
            visit(node)
    assert cycles == []


def test_only_labelstudio_speaks_http():
    for module, path in _modules().items():
        if _stage(module) == "labelstudio":
            continue
        http = {i for i in _imports(path) if i.startswith(HTTP)}
        assert not http, f"{module} imports {http}"


@pytest.mark.parametrize("stage", STAGES)
def test_stage_init_is_a_contract_without_logic(stage: str):
    tree = ast.parse((PACKAGE / stage / "__init__.py").read_text("utf-8"))
    doc = ast.get_docstring(tree)
    assert doc
    assert "Imports" in doc or "imports" in doc or stage == "cli", "say what the stage may import"
    for node in tree.body[1:]:
        assert isinstance(node, ast.ImportFrom | ast.Assign), ast.dump(node)[:80]
        if isinstance(node, ast.Assign):
            assert [t.id for t in node.targets] == ["__all__"]


def test_the_old_batches_module_warns_and_points_at_the_new_home():
    code = (
        "import warnings; warnings.simplefilter('error')\n"
        "try:\n    from annotate_kit.batches import preannotate_table\n"
        "except DeprecationWarning as w:\n    print(w)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "annotate_kit.engines.local.preannotate_table" in out.stdout
    import annotate_kit.batches as old

    with pytest.warns(DeprecationWarning, match="annotate_kit.io.tables"):
        assert old.document_table.__module__ == "annotate_kit.io.tables"


def test_tests_mirror_the_stages_and_import_no_private_name_of_another_stage():
    folders = {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").is_file()}
    assert folders <= set(STAGES)
    wrong = []
    for path in (ROOT / "tests").rglob("test_*.py"):
        own = path.parent.name
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("annotate_kit"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private and _stage(node.module) != own:
                    wrong.append(f"{path.relative_to(ROOT)}: {node.module} {private}")
    assert wrong == []
