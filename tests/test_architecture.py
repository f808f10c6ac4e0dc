"""The import graph keeps the stages' order: no module-level import cycle, no import from a higher layer.

Layers, lowest first (README, "How it is built"): the model and its helpers; reading (caption documents,
transcript parsing); repair, timing, language, line breaking, the caption rules; segmenting and writing;
media I/O (ffmpeg, decoding, speech detection, mux); sync (offset, ratio, splits, turn sync, retiming);
word alignment; the pipeline; validate, batch, review and the library API; the command line. Imports
inside functions are the lazy loads that keep start-up fast: they may not point upward either, and each
says why beside it. Imports under ``if TYPE_CHECKING`` never run and are left out.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "toolkit"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("toolkit", "toolkit.errors", "toolkit.model", "toolkit.timecode", "toolkit.markup", "toolkit.profiles",
     "toolkit.io", "toolkit.rules", "toolkit.text"),
    ("toolkit.captions", "toolkit.parse"),
    ("toolkit.repair", "toolkit.timing", "toolkit.language", "toolkit.linebreak", "toolkit.checks"),
    ("toolkit.segment", "toolkit.formats"),
    ("toolkit.media",),
    ("toolkit.sync",),
    ("toolkit.align",),
    ("toolkit.pipeline",),
    ("toolkit.validate", "toolkit.batch", "toolkit.review", "toolkit.api"),
    ("toolkit.cli", "toolkit.__main__"),
)  # fmt: skip


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(tree: ast.Module, lazy: bool) -> list[ast.Import | ast.ImportFrom]:
    """The module-level imports (``lazy=False``, ``if TYPE_CHECKING`` blocks left out: they never run), or
    the imports inside functions (``lazy=True``)."""
    if not lazy:
        return [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return [
        n
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
        if isinstance(n, ast.Import | ast.ImportFrom)
    ]


def _edges(mods: dict[str, Path], lazy: bool = False) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")), lazy):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                target = (
                    ".".join([*base, *([node.module] if node.module else [])]) if node.level else node.module
                )
                if not target or not target.startswith("toolkit"):
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    edges[name].add(sub if sub in mods else target)
            elif isinstance(node, ast.Import):
                edges[name].update(a.name for a in node.names if a.name.startswith("toolkit"))
    return edges


def _layer(name: str) -> int:
    best = (-1, -1)
    for k, group in enumerate(LAYERS):
        for prefix in group:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best[1]:
                best = (k, len(prefix))
    assert best[0] >= 0, f"{name} is in no layer: add it to LAYERS (and the README)"
    return best[0]


def test_every_module_has_a_layer() -> None:
    for name in _modules():
        _layer(name)


def test_no_import_from_a_higher_layer() -> None:
    mods = _modules()
    upward = [
        f"{a} -> {b}"
        for lazy in (False, True)
        for a, targets in _edges(mods, lazy).items()
        for b in targets
        if b in mods and _layer(b) > _layer(a) and not (lazy and a == "toolkit" and b == "toolkit.api")
    ]  # the one exception: ``toolkit.convert`` and friends, the package's public face, load the API lazily
    assert upward == []


def test_every_import_inside_a_function_says_why() -> None:
    """An import inside a function hides an edge of the graph; it is there only to keep start-up fast or an
    optional library out of the way, and the line (or the comment line above it) says so."""
    silent = []
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in _imports(ast.parse("\n".join(lines)), lazy=True):
            around = lines[node.lineno - 2 : (node.end_lineno or node.lineno)]
            if not any("lazy" in line for line in around):
                silent.append(f"{name}:{node.lineno}")
    assert silent == []


def test_no_module_level_import_cycle() -> None:
    mods = _modules()
    edges = _edges(mods)
    state: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for nxt in sorted(edges.get(name, ())):
            if nxt not in mods or nxt == name:
                continue
            if state.get(nxt) == 1:
                return [*path, name, nxt]
            if nxt not in state:
                found = visit(nxt, [*path, name])
                if found:
                    return found
        state[name] = 2
        return None

    for name in sorted(mods):
        if name not in state:
            assert visit(name, []) is None


def test_the_graph_is_read() -> None:
    """The checks above see the real imports (a parser that saw none would pass them vacuously)."""
    edges = _edges(_modules())
    assert "toolkit.model" in edges["toolkit.pipeline.conversion"]
    assert "toolkit.captions.document" in edges["toolkit.captions.webvtt"]
    assert _layer("toolkit.cli.convert") > _layer("toolkit.pipeline") > _layer("toolkit.segment")
    lazy = _edges(_modules(), lazy=True)
    assert "toolkit.align.verify" in lazy["toolkit.pipeline.caption_sync"]


def test_the_readme_names_the_same_layers() -> None:
    """README's "Layers, lowest first: ...; ...; ..." paragraph lists LAYERS group by group (so the
    documented order cannot drift from the one this file checks)."""
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    text = readme[readme.index("Layers, lowest first:") : readme.index("A module imports only from")]
    documented = [
        {name.rstrip("/") for name in re.findall(r"`([a-z_/]+)`", group)} for group in text.split(";")
    ]
    expected = [
        {prefix.removeprefix("toolkit.") for prefix in group if prefix not in ("toolkit", "toolkit.__main__")}
        for group in LAYERS
    ]
    assert documented == expected
