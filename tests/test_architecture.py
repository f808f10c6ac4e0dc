"""The import graph keeps the stages' order: no module-level import cycle, no import from a higher layer.

Layers, lowest first (README, "How it is built"): the model and its helpers; reading (caption documents,
transcript parsing); repair, timing, language, line breaking; segmenting and writing; media I/O (ffmpeg,
decoding, speech detection, mux); sync (offset, ratio, splits, turn sync, retiming); word alignment; the
pipeline; validate, batch, review and the library API; the command line. Imports inside functions are
left out on purpose: they are the lazy loads that keep start-up fast (each has its reason beside it).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "toolkit"
LAYERS: tuple[tuple[str, ...], ...] = (
    ("toolkit", "toolkit.errors", "toolkit.model", "toolkit.timecode", "toolkit.markup", "toolkit.profiles",
     "toolkit.io", "toolkit.rules", "toolkit.text"),
    ("toolkit.captions", "toolkit.parse"),
    ("toolkit.repair", "toolkit.timing", "toolkit.language", "toolkit.linebreak", "toolkit.limits"),
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


def _edges(mods: dict[str, Path]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
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
        for a, targets in _edges(mods).items()
        for b in targets
        if b in mods and _layer(b) > _layer(a)
    ]
    assert upward == []


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
    assert "toolkit.captions.model" in edges["toolkit.captions.webvtt"]
    assert _layer("toolkit.cli.convert") > _layer("toolkit.pipeline") > _layer("toolkit.segment")
