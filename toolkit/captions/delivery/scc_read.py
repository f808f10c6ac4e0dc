"""SCC (CEA-608) read through ttconv, speaker labels turned back into voices (:mod:`.scc` writes it).

ttconv's SCC reader builds its document model (:mod:`.ttconv_model` turns it into cues); SCC has no
speaker field, so an upper-case ``NAME:`` label at the start of a line (as the writer puts them, at each
change of speaker) becomes the voice of what follows. Kept apart from the writer so that reading SCC does
not load pycaption.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ttconv.scc import reader as scc_reader  # type: ignore[import-untyped]

from ...errors import InputError
from ..document import Captions
from .styled import StyledChars
from .ttconv_model import paragraphs, to_captions

__all__ = ["loads_scc"]

_READ_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, RuntimeError)

_LABEL = re.compile(r"(-\s*|>>\s*)?([^\W\d_][\w .'\-]{0,40}?): ")


def loads_scc(text: str, path: str) -> Captions:
    if not text.lstrip("\ufeff").startswith("Scenarist_SCC"):
        raise InputError("not an SCC file (no Scenarist_SCC header)", path=path)
    try:
        tdoc = scc_reader.to_model(text)
    except _READ_ERRORS as exc:
        raise InputError(f"cannot read SCC: {exc}", path=path) from None
    paras = paragraphs(tdoc)
    _labels_to_voices([para.lines for para in paras])
    return to_captions(paras, tdoc, "scc", path)


def _is_label(name: str) -> bool:
    """A speaker label: upper case (``TUCKER``, ``DR. WHO``, ``JOSÉ``), at most four words."""
    return name == name.upper() and name != name.lower() and len(name.split()) <= 4


def _labels_to_voices(paras: list[list[StyledChars]]) -> None:
    """SCC has no speaker field: an upper-case ``NAME:`` label at the start of a line becomes the voice of
    what follows it, kept for the next lines and captions until the next label (labels are written at
    each change of speaker)."""
    current: str | None = None
    for lines in paras:
        for j, line in enumerate(lines):
            text = "".join(c for c, _ in line)
            lead = len(text) - len(text.lstrip(" "))
            m = _LABEL.match(text, lead)
            if m and _is_label(m[2]):
                current = m[2]
                keep = line[: m.start(2)] if m[1] else []
                lines[j] = keep + line[m.end() :]
            lines[j] = [(c, replace(st, voice=current)) for c, st in lines[j]]
