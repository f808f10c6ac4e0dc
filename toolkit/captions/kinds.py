"""The delivery formats and the file extensions that name them, in one table (no library loaded here:
the command line and the pipeline read it at start-up, :mod:`toolkit.captions.delivery` does the work)."""

from __future__ import annotations

__all__ = ["DELIVERY_FORMATS", "EXTENSIONS", "READ_FORMATS"]

DELIVERY_FORMATS = ("ttml", "scc", "ass", "ssa")  # written and read
READ_FORMATS = (*DELIVERY_FORMATS, "stl")  # EBU STL: ttconv reads it, nothing here writes it
EXTENSIONS = {
    ".ttml": "ttml",
    ".xml": "ttml",
    ".dfxp": "ttml",
    ".scc": "scc",
    ".ass": "ass",
    ".ssa": "ssa",
    ".stl": "stl",
}
