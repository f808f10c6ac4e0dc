"""Which findings a validation keeps: ``--select`` and ``--ignore`` as code prefixes, like ruff.

Read by every validation path (:mod:`.files` for transcripts and SRT/WebVTT files, :mod:`.delivery_files`
for TTML, SCC, ASS/SSA and STL) and by ``captionkit validate --list-rules``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..rules import RULES

__all__ = ["Selection", "is_selected", "parse_codes"]

Selection = tuple[str, ...]


def parse_codes(value: str | Iterable[str] | None) -> Selection | None:
    """Comma-separated codes or prefixes (``C``, ``T00``, ``C003``; ``ALL``) as a tuple, like ruff.

    Raises ``ValueError`` for a code or prefix that matches no rule.
    """
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    out: list[str] = []
    for raw in parts:
        code = raw.strip().upper()
        if not code:
            continue
        if code == "ALL":
            code = ""
        elif not any(r.code.startswith(code) for r in RULES):
            raise ValueError(f"{raw.strip()!r} matches no rule code (see --list-rules)")
        out.append(code)
    return tuple(out)


def is_selected(code: str, select: Selection | None, ignore: Selection | None) -> bool:
    """Whether a code passes ``--select`` (all when ``None``) and is not ``--ignore``d."""
    if select is not None and not any(code.startswith(p) for p in select):
        return False
    return not (ignore and any(code.startswith(p) for p in ignore))
