"""Validation of delivery files (TTML/IMSC, SCC, ASS/SSA, EBU STL): read through their libraries, then
the caption checks, plus the limits of the delivery format itself.

The branch of :func:`toolkit.validate.files.validate_file` for the extensions ``convert`` reads as
delivery formats (:data:`DELIVERY_SUFFIXES`); transcripts and SRT/WebVTT files take the engine's own path.
"""

from __future__ import annotations

import dataclasses

from ..captions.delivery import loads_delivery
from ..captions.kinds import EXTENSIONS
from ..checks.caption_rules import check_document
from ..errors import ToolkitError
from ..io import read_bytes
from ..model import Finding
from ..profiles import Profile
from ..rules import RULES, finding
from .results import FileReport, sorted_by_line, unreadable_report
from .selection import Selection, is_selected

__all__ = ["DELIVERY_SUFFIXES", "validate_delivery"]

# by name, as convert reads them, but ".xml" (too generic for a folder of files to check)
DELIVERY_SUFFIXES = {suffix: fmt for suffix, fmt in EXTENSIONS.items() if suffix != ".xml"}
SCC_COLUMNS, SCC_ROWS = 32, 4  # CEA-608: what a caption may hold, whatever the profile says
SCC_MIN_GAP_MS = 66  # two frames at 29.97 fps, rounded down (SCC times are frames)
_NOT_LAYOUT = tuple(r.code for r in RULES if r.code.startswith("C") and r.code not in ("C001", "C002"))
_IMSC_PROFILES = ("http://www.w3.org/ns/ttml/profile/imsc1", "http://www.w3.org/ns/ttml/profile/imsc1.1")


def validate_delivery(
    name: str,
    fmt: str,
    *,
    profile: Profile,
    duration_ms: int | None,
    fps: float | None,
    select: Selection | None,
    ignore: Selection | None,
) -> FileReport:
    """A TTML/SCC/ASS/SSA/STL file read through its library (toolkit.captions.delivery), then the caption
    checks; SCC also against CEA-608's own limits (32 columns, 4 rows)."""
    try:
        data = read_bytes(name)
        captions = loads_delivery(data, fmt, path=name, fps=fps)
    except ToolkitError as exc:
        return unreadable_report(name, exc)
    except Exception as exc:  # a library's own parse error on a broken file: the user's to fix
        return unreadable_report(name, ToolkitError(f"cannot read as {fmt.upper()}: {exc}", path=name))
    findings = list(captions.findings)
    if fmt == "ttml":
        findings.extend(_imsc_findings(data, name))
    if fmt == "scc":
        # CEA-608's own limits; gaps count in frames of 29.97 fps (2 frames is 67 ms, not 24 fps's 83 ms)
        limits = dataclasses.replace(profile, max_chars_per_line=SCC_COLUMNS, max_lines=SCC_ROWS)
        profile = dataclasses.replace(profile, min_gap_ms=min(profile.min_gap_ms, SCC_MIN_GAP_MS))
        findings.extend(check_document(captions, profile=profile, duration_ms=duration_ms, codes=_NOT_LAYOUT))
        findings.extend(
            check_document(captions, profile=limits, duration_ms=duration_ms, codes=("C001", "C002"))
        )
    else:
        findings.extend(check_document(captions, profile=profile, duration_ms=duration_ms))
    kept = [f for f in findings if is_selected(f.code, select, ignore)]
    return FileReport(path=name, kind=fmt, findings=sorted_by_line(kept))


def _imsc_findings(data: bytes, name: str) -> list[Finding]:
    """A TTML delivery checked against IMSC's own rules that a timed-text platform applies first: the
    document says which IMSC profile it follows (``ttp:contentProfiles`` or ``ttp:profile``), and it is a
    text profile (no images)."""
    head = data[:20000].decode("utf-8", errors="replace")
    out: list[Finding] = []
    if not any(p in head for p in _IMSC_PROFILES):
        out.append(
            finding(
                "C016",
                "the TTML document names no IMSC profile (ttp:contentProfiles or ttp:profile): IMSC "
                "deliveries (Netflix, broadcasters) are refused without one",
                path=name,
                line=1,
            )
        )
    if "smpte:backgroundImage" in head or "<image" in head:
        out.append(
            finding(
                "C016",
                "the TTML document holds images: the IMSC Text Profile allows text only",
                path=name,
                line=1,
            )
        )
    return out
