"""EBU STL (Tech 3264) read through ttconv; nothing here writes it.

ttconv's STL reader builds its document model (:mod:`.ttconv_model` turns it into cues) with times from
the programme start (the GSI block's TCP); a file with a subtitle before that start is read again with
its times as written.
"""

from __future__ import annotations

import io
import struct

from ttconv.stl import reader as stl_reader  # type: ignore[import-untyped]
from ttconv.stl.config import STLReaderConfiguration  # type: ignore[import-untyped]

from ...errors import InputError
from ..document import Captions
from .ttconv_model import paragraphs, to_captions

__all__ = ["loads_stl"]

_READ_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, RuntimeError, struct.error)


def loads_stl(data: bytes, path: str) -> Captions:
    if len(data) < 1024 + 128:
        raise InputError("too short for EBU STL (a 1024-byte GSI block and 128-byte TTI blocks)", path=path)
    for start in ("TCP", None):  # times from the programme start (TCP), else as written
        try:
            config = STLReaderConfiguration(program_start_tc=start)
            tdoc = stl_reader.to_model(io.BytesIO(data), config)
        except _READ_ERRORS as exc:
            raise InputError(f"cannot read EBU STL: {exc}", path=path) from None
        try:
            return to_captions(paragraphs(tdoc), tdoc, "stl", path)
        except ValueError:  # a subtitle before the programme start (TCP): take the times as written
            continue
    raise InputError("cannot read the EBU STL time codes", path=path)
