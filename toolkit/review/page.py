"""The review page: one self-contained HTML file built from a conversion result.

Everything is inline: the CSS and the script (``page.css`` and ``page.js`` beside this module), the data
as a JSON script element, the captions as a ``<track>`` whose ``src`` is a ``data:`` URL of the exact
WebVTT :func:`toolkit.pipeline.render` writes. The video is referenced by its path relative to the page
(or, with ``embed``, carried as a ``data:`` URL). A Content-Security-Policy allows no fetch at all.
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import html
import json
import os
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, ToolkitError
from ..pipeline import ConvertResult, render_with_findings, result_to_json
from ..rules import RULES_BY_CODE
from ..segment import shown_chars
from .envelope import Envelope, spans_from_pairs

__all__ = ["MAX_EMBED_BYTES", "ReviewError", "build_review", "media_reference", "page_result", "review_data"]

MAX_EMBED_BYTES = 50 * 1024 * 1024  # --embed carries the media inside the page only up to this size
TURN_TEXT_CHARS = 300  # a turn's text in the page (a tooltip) is cut to this many characters
DOCUMENT_CODES = frozenset({"P000", "P001", "P002", "P005", "P007", "P008"})  # about the file, not a cue

_MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/webm",  # Chromium plays Matroska with WebM codecs under this type
    ".ogv": "video/ogg",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
}


class ReviewError(ToolkitError):
    """The review page cannot be made as asked (e.g. media too large to embed)."""


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    return resources.files(__package__ or "toolkit.review").joinpath(name).read_text(encoding="utf-8")


def build_review(
    result: ConvertResult,
    *,
    media: str | None,
    out_path: str,
    embed: bool = False,
    audio_envelope: Envelope | None = None,
    speech: Sequence[Sequence[int]] | None = None,
) -> str:
    """The review page of ``result`` as HTML text (nothing is written).

    ``media``: the video/audio file, referenced from the page by its path relative to ``out_path``
    (``embed``: carried inside the page as a ``data:`` URL, refused above :data:`MAX_EMBED_BYTES`).
    ``audio_envelope`` and ``speech`` (``(start_ms, end_ms)`` spans) are drawn on the timeline when given
    (see :func:`toolkit.review.envelope.analyse_for_review`).
    """
    src = media_reference(media, out_path, embed=embed) if media else None
    vtt, result = page_result(result)
    data = review_data(result, media_src=src, audio_envelope=audio_envelope, speech=speech)
    title = f"Review: {Path(result.path).name or result.path}"
    track = "data:text/vtt;charset=utf-8;base64," + base64.b64encode(vtt.encode("utf-8")).decode("ascii")
    if src is not None:
        player = (
            f'<video id="video" preload="auto" playsinline src="{html.escape(src, quote=True)}">'
            f'<track id="track" kind="captions" srclang="en" label="captionkit" default '
            f'src="{track}"></video>'
        )
    else:
        player = '<div id="stage" class="stage"><div class="stage-text" id="stage-text"></div></div>'
    player_class = "player" if src is not None else "player nomedia"
    page = _asset("page.html")
    parts = {
        "%%TITLE%%": html.escape(title),
        "%%CSS%%": _asset("page.css"),
        "%%PLAYER%%": player,
        "%%PLAYER_CLASS%%": player_class,
        "%%VTT_URL%%": track,
        "%%DATA%%": _json_for_script(data),
        "%%JS%%": _asset("page.js"),
    }
    return _fill(page, parts)


def page_result(result: ConvertResult) -> tuple[str, ConvertResult]:
    """The WebVTT the page plays (:func:`toolkit.pipeline.render`), and ``result`` with its findings as
    they hold for it (reading speed counted as WebVTT shows the text: voices are not displayed). Applying
    it to its own output changes nothing."""
    vtt, findings = render_with_findings(result, "vtt")
    seen: set[tuple[str, int | None, int | None, str]] = set()
    unique = []
    for f in findings:
        key = (f.code, f.line, f.cue, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return vtt, dataclasses.replace(result, findings=tuple(unique))


def _fill(template: str, parts: Mapping[str, str]) -> str:
    """Replace each placeholder once, in one pass (a value is never searched for placeholders)."""
    out: list[str] = []
    rest = template
    while True:
        hits = [(rest.find(k), k) for k in parts if k in rest]
        if not hits:
            out.append(rest)
            return "".join(out)
        at, key = min(hits)
        out.append(rest[:at])
        out.append(parts[key])
        rest = rest[at + len(key) :]


def _json_for_script(data: Mapping[str, Any]) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def media_reference(media: str, out_path: str, *, embed: bool = False) -> str:
    """The ``src`` of the page's video: ``media``'s path relative to the folder of ``out_path`` (as a URL
    path), or with ``embed`` the file itself as a base64 ``data:`` URL."""
    path = Path(media)
    if not path.is_file():
        raise InputError("media file not found (or not a regular file)", path=media)
    if embed:
        size = path.stat().st_size
        if size > MAX_EMBED_BYTES:
            raise ReviewError(
                f"--embed is for small media: this file is {size / 1e6:.0f} MB, over "
                f"{MAX_EMBED_BYTES // (1024 * 1024)} MB; leave out --embed and the page refers to it by "
                "its path",
                path=media,
            )
        kind = _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    folder = Path(os.path.abspath(out_path)).parent
    try:
        rel = os.path.relpath(os.path.abspath(media), folder)
    except ValueError:  # another drive (Windows): only an absolute file URL reaches it
        return path.resolve().as_uri()
    return urllib.parse.quote(rel.replace(os.sep, "/"))


# ------------------------------------------------------------------------------------------- the data


def review_data(
    result: ConvertResult,
    *,
    media_src: str | None = None,
    audio_envelope: Envelope | None = None,
    speech: Sequence[Sequence[int]] | None = None,
) -> dict[str, Any]:
    """The JSON the page's script reads: cues, turns, findings (each placed in time and on a cue), the
    profile, speech and envelope, sync segments."""
    full = result_to_json(result)
    cues_json: list[dict[str, Any]] = full["cues"]
    speakers = _speakers(cues_json, full["turns"])
    sp_index = {name: i for i, name in enumerate(speakers)}
    chars = _reading_chars(result, cues_json)
    cues = []
    for k, c in enumerate(cues_json):
        cue: dict[str, Any] = {
            "s": c["start_ms"],
            "e": c["end_ms"],
            "sp": sp_index.get(c.get("speaker") or "", -1),
            "lines": c.get("lines") or [c.get("text", "")],
            "line": c.get("line"),
            "n": chars[k],
        }
        if isinstance(c.get("turn"), int):
            cue["t"] = c["turn"]
        line_speakers = c.get("speakers") or []
        if len(set(line_speakers)) > 1:
            cue["lsp"] = [sp_index.get(s or "", -1) for s in line_speakers]
        if c.get("words"):
            cue["w"] = [[w["start_ms"], w["end_ms"]] for w in c["words"]]
        cues.append(cue)
    turns = [
        {
            "sp": sp_index.get(t["speaker"] or "", -1),
            "s": t["start_ms"],
            "src": t["source_start_ms"],
            "line": t["line"],
            "text": _cut(t["text"], TURN_TEXT_CHARS),
        }
        for t in full["turns"]
    ]
    findings = _place_findings(full["findings"], cues_json)
    for k, f in enumerate(findings):
        if f["c"] is not None:
            cues[f["c"]].setdefault("f", []).append(k)
    data: dict[str, Any] = {
        "version": __version__,
        "source": full["source"],
        "profile": full["profile"],
        "speakers": speakers,
        "cues": cues,
        "turns": turns,
        "findings": findings,
        "rules": _rule_names(f["code"] for f in findings),
        "media": media_src is not None,
        "duration_ms": _duration(result.meta, cues_json, audio_envelope),
        "meta": _meta_summary(result.meta),
        "sync": _sync(result.meta, len(cues_json)),
        "speech": [list(s) for s in spans_from_pairs(speech)] if speech else None,
        "envelope": None,
    }
    if audio_envelope is not None and audio_envelope.lo:
        data["envelope"] = {
            "rate": audio_envelope.rate,
            "lo": base64.b64encode(audio_envelope.lo).decode("ascii"),
            "hi": base64.b64encode(audio_envelope.hi).decode("ascii"),
        }
    return data


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _speakers(cues: Sequence[Mapping[str, Any]], turns: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for c in cues:
        for s in [c.get("speaker"), *(c.get("speakers") or [])]:
            if s:
                seen.setdefault(s, None)
    for t in turns:
        if t.get("speaker"):
            seen.setdefault(t["speaker"], None)
    return list(seen)


def _reading_chars(result: ConvertResult, cues: Sequence[Mapping[str, Any]]) -> list[int]:
    """Characters read per cue as the page shows them (WebVTT: voices are not displayed)."""
    if result.captions is None and len(result.cues) == len(cues):
        return shown_chars(result.cues, labels=False)
    return [sum(len(line) for line in (c.get("lines") or [c.get("text", "")])) for c in cues]


def _rule_names(codes: Iterable[str]) -> dict[str, str]:
    return {c: RULES_BY_CODE[c].name for c in sorted(set(codes)) if c in RULES_BY_CODE}


def _place_findings(
    findings: Sequence[Mapping[str, Any]], cues: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Each finding with ``t`` (where it is on the timeline, ms, or None) and ``c`` (the 0-based cue it is
    listed under, or None: a finding about the document)."""
    by_turn_line: dict[int, int] = {}  # a turn's source line -> its first cue
    cue_lines: list[tuple[int, int]] = []
    for k, cj in enumerate(cues):
        line = cj.get("line")
        if isinstance(line, int):
            by_turn_line.setdefault(line, k)
            cue_lines.append((line, k))
    cue_lines.sort()
    starts = [int(cj["start_ms"]) for cj in cues]
    out = []
    for f in findings:
        data = f.get("data") or {}
        cue = f.get("cue")
        c: int | None = None
        if isinstance(cue, int) and 1 <= cue <= len(cues):
            c = cue - 1
        elif f["code"] not in DOCUMENT_CODES:
            line = data.get("kept_line") if f["code"] == "T002" else None
            line = line if isinstance(line, int) else f.get("line")
            if isinstance(line, int):
                c = by_turn_line.get(line)
                if c is None:  # the cue of the turn the line falls in (the last one starting at or before it)
                    c = _last_at_or_before(cue_lines, line)
        t = _finding_time(data)
        if t is None and c is not None:
            t = starts[c]
        out.append(
            {
                "code": f["code"],
                "sev": f["severity"],
                "msg": f["message"],
                "line": f.get("line"),
                "cue": cue,
                "data": _finding_data(data),
                "t": t,
                "c": c,
            }
        )
    return out


def _last_at_or_before(cue_lines: Sequence[tuple[int, int]], line: int) -> int | None:
    at = bisect.bisect_right(cue_lines, (line, 1 << 62)) - 1
    return cue_lines[at][1] if at >= 0 else None


def _finding_time(data: Mapping[str, Any]) -> int | None:
    for key in ("start_ms", "skipped_from_ms", "at_ms", "time_ms"):
        v = data.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool) and v >= 0:
            return int(v)
    return None


def _finding_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data the page shows: a repair's removed and kept text, dropped page text (cut), the numbers."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, str):
            out[k] = _cut(v, 4000)
        elif isinstance(v, int | float | bool) or v is None:
            out[k] = v
        elif isinstance(v, list | tuple) and len(v) <= 50:
            out[k] = json.loads(json.dumps(v, default=str))
    return out


def _duration(meta: Mapping[str, Any], cues: Sequence[Mapping[str, Any]], env: Envelope | None) -> int:
    media = meta.get("media")
    known = [int(media["duration_ms"])] if isinstance(media, dict) and media.get("duration_ms") else []
    if env is not None:
        known.append(env.duration_ms)
    known.append(max((int(c["end_ms"]) for c in cues), default=0))
    return max(known) or 1000


def _meta_summary(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The small parts of the result's meta the page prints as they are."""
    out: dict[str, Any] = {}
    media = meta.get("media")
    if isinstance(media, dict):
        out["media"] = {k: v for k, v in media.items() if k != "sync" and isinstance(v, str | int | float)}
    for key in ("rates_wps", "converted"):
        if key in meta:
            out[key] = meta[key]
    return out


def _sync(meta: Mapping[str, Any], cue_count: int) -> dict[str, Any] | None:
    """Sync segments and offsets: ``meta["sync"]`` (captions synced to media: cue segments, and each cue's
    original times) or ``meta["media"]["sync"]`` (a transcript's turns synced to media)."""
    raw: Any = meta.get("sync")
    unit = "cue"
    if not isinstance(raw, dict):
        media = meta.get("media")
        raw = media.get("sync") if isinstance(media, dict) else None
        unit = "turn"
    if not isinstance(raw, dict):
        return None
    segments = [
        {
            "first": int(s.get("first_cue", 0)),
            "last": int(s.get("last_cue", 0)),
            "offset_ms": int(s.get("offset_ms", 0)),
            "from_ms": int(s.get("from_ms", 0)),
        }
        for s in raw.get("segments") or []
        if isinstance(s, dict)
    ]
    original = raw.get("original_ms")
    return {
        "unit": unit,
        "accepted": bool(raw.get("accepted", True)),
        "reason": str(raw.get("reason", "")),
        "confidence": raw.get("confidence"),
        "offset_ms": raw.get("offset_ms"),
        "ratio": raw.get("ratio"),
        "segments": segments,
        "original": original if isinstance(original, list) and len(original) == cue_count else None,
        "detector": raw.get("speech_detector"),
    }
