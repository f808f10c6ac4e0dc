"""``validate --media``: check a transcript or caption file against the speech in the media.

=====  ==========================================================================================
M001   a turn's timestamp has no speech within ``SILENCE_WINDOW_MS`` after it (nor 1 s before)
M002   a stretch of speech (>= ``MIN_MISSING_MS``) that no turn's text can cover: missing content
M003   a turn whose text falls where there is (almost) no speech
M004   the whole text is offset against the audio by a constant
M005   the offset changes at a point (a cut, an ad break, a chunk boundary)
M006   the sync was not confident: the checks ran on the times as written
C014   a cue past the end of the media (T006 for a transcript timestamp)
=====  ==========================================================================================

All checks run on the times *after* the detected offset and jumps are taken out, so one shifted block
gives one M005, not a finding per turn. A turn's text is expected to take the time its words take at the
speaker's rate (:class:`~toolkit.timing.RateModel`, with ``RATE_SLACK``), capped by the next turn.
"""

from __future__ import annotations

import numpy as np

from ..model import Document, Finding
from ..rules import finding
from ..timecode import format_clock
from .stages import AnalysedMedia, analyse_media
from .sync import SyncParams, find_sync
from .turnsync import OFFSET_REPORT_MS, shifted_blocks, speech_residuals, turn_sync
from .vad import FRAME_MS, runs

__all__ = ["media_findings"]

SILENCE_WINDOW_MS = 3000
MIN_MISSING_MS = 3000
RATE_SLACK = 1.3
CAPTION_OFFSET_REPORT_MS = 100
END_TOLERANCE_MS = 500


def _speech_share(mask: np.ndarray, start_ms: int, end_ms: int) -> float:
    a, b = max(0, start_ms // FRAME_MS), min(len(mask), max(0, end_ms // FRAME_MS))
    return float(mask[a:b].mean()) if b > a else 0.0


def media_findings(
    doc: Document,
    media_path: str,
    *,
    audio_stream: str | None = None,
    analysed: AnalysedMedia | None = None,
) -> list[Finding]:
    """Findings M001-M006 and C014/T006 for ``doc`` against the media at ``media_path``."""
    from ..timing import RateModel

    am = analysed or analyse_media(media_path, audio_stream=audio_stream)
    mask = am.mask
    path = doc.path
    is_transcript = doc.kind == "transcript"
    turns = doc.turns
    idx = [i for i, t in enumerate(turns) if t.start_ms is not None]
    out: list[Finding] = []
    if not idx:
        return out
    rates = RateModel.fit(turns) if is_transcript else None
    stamps = np.array([int(turns[i].start_ms or 0) for i in idx], dtype=np.int64)

    # expected end of each turn's speech (before any correction)
    ends = np.empty(len(idx), dtype=np.int64)
    for k, i in enumerate(idx):
        t = turns[i]
        nxt = int(stamps[k + 1]) if k + 1 < len(idx) else None
        if not is_transcript and t.end_ms is not None:
            ends[k] = t.end_ms
        else:
            need = int((rates.speech_ms(t.speaker, t.text) if rates else 2000) * RATE_SLACK) + 500
            ends[k] = stamps[k] + need if nxt is None else min(nxt, stamps[k] + need)
        ends[k] = max(ends[k], stamps[k] + 1)

    # offset and jumps
    if is_transcript:
        synced = turn_sync(turns, mask, rates=rates)
        assert synced is not None or len(idx) < 2
        result = synced[1] if synced else None
        report_ms = OFFSET_REPORT_MS
    else:
        result = find_sync(stamps.tolist(), ends.tolist(), mask, SyncParams())
        report_ms = CAPTION_OFFSET_REPORT_MS
    offsets = np.zeros(len(idx), dtype=np.int64)
    if result is not None and result.accepted:
        offsets = result.offsets_for(len(idx))
        first = result.segments[0]
        if abs(first.offset_ms) >= report_ms:
            t0 = turns[idx[first.first]]
            out.append(
                finding(
                    "M004",
                    f"the text is {first.offset_ms / 1000:+.2f} s off the audio "
                    f"(confidence {result.confidence:.2f})",
                    path=path,
                    line=t0.line,
                    offset_ms=first.offset_ms,
                    confidence=round(result.confidence, 3),
                )
            )
        for prev, seg in zip(result.segments, result.segments[1:], strict=False):
            t = turns[idx[seg.first]]
            out.append(
                finding(
                    "M005",
                    f"from {format_clock(int(stamps[seg.first]))} the offset changes from "
                    f"{prev.offset_ms / 1000:+.2f} s to {seg.offset_ms / 1000:+.2f} s",
                    path=path,
                    line=t.line,
                    cue=None if is_transcript else idx[seg.first] + 1,
                    from_ms=int(stamps[seg.first]),
                    offset_ms=seg.offset_ms,
                    previous_offset_ms=prev.offset_ms,
                )
            )
        if not is_transcript and result.ratio != 1.0:
            out.append(
                finding(
                    "M004",
                    f"the captions run at a different frame rate (ratio {result.ratio:.5f})",
                    path=path,
                    line=turns[idx[0]].line,
                    ratio=result.ratio,
                )
            )
        ratio = result.ratio
    else:
        ratio = 1.0
        if result is not None:
            out.append(
                finding(
                    "M006",
                    f"could not match the text to the audio ({result.reason}); checked the times as written",
                    path=path,
                    confidence=round(result.confidence, 3),
                )
            )
    if is_transcript and result is not None and result.accepted:
        # runs of turns whose speech says they are shifted; only where the turns sync with the speech at all
        # (a meeting's overlapping talk makes the residuals noise: a jump 'found' there is not one)
        from ..timing import count_words

        words = np.array([count_words(turns[i].text) for i in idx], dtype=np.float64)
        resid, need_ms = speech_residuals(stamps + offsets, words, mask)
        reported = {f.line for f in out if f.code == "M005"}
        density = max(0.3, float(mask.mean()))
        for first_k, last_k, surplus in shifted_blocks(resid, need_ms):
            bt = turns[idx[first_k]]
            if bt.line in reported:
                continue
            late_ms = round(surplus / density)
            out.append(
                finding(
                    "M005",
                    f"the turns at lines {bt.line}-{turns[idx[last_k]].line} look shifted by about "
                    f"{late_ms / 1000:+.0f} s: {abs(surplus) / 1000:.1f} s of speech "
                    f"{'more' if surplus > 0 else 'less'} than the text needs before them, the reverse after",
                    path=path,
                    line=bt.line,
                    first_line=bt.line,
                    last_line=turns[idx[last_k]].line,
                    shift_ms=late_ms,
                    surplus_speech_ms=int(surplus),
                )
            )
    starts = np.round(stamps * ratio).astype(np.int64) + offsets
    ends = np.round(ends * ratio).astype(np.int64) + offsets
    duration = am.duration_ms

    covered = np.zeros(len(mask), dtype=bool)
    for k, i in enumerate(idx):
        t = turns[i]
        cue = None if is_transcript else i + 1
        s, e = int(starts[k]), int(ends[k])
        raw = int(stamps[k])
        if raw >= duration:
            code = "T006" if is_transcript else "C014"
            out.append(
                finding(
                    code,
                    f"starts at {format_clock(raw)}, after the end of the media ({format_clock(duration)})",
                    path=path,
                    line=t.line,
                    cue=cue,
                    start_ms=raw,
                    media_end_ms=duration,
                )
            )
            continue
        if not is_transcript and t.end_ms is not None and t.end_ms > duration + END_TOLERANCE_MS:
            out.append(
                finding(
                    "C014",
                    f"ends at {format_clock(t.end_ms)}, after the end of the media "
                    f"({format_clock(duration)})",
                    path=path,
                    line=t.line,
                    cue=cue,
                    end_ms=t.end_ms,
                    media_end_ms=duration,
                )
            )
        covered[max(0, s // FRAME_MS - 100) : max(0, e // FRAME_MS + 100)] = True
        near = _speech_share(mask, s - 1000, s + SILENCE_WINDOW_MS)
        if near < 0.02:
            out.append(
                finding(
                    "M001",
                    f"no speech within {SILENCE_WINDOW_MS // 1000} s of the timestamp "
                    f"{format_clock(max(0, s))}",
                    path=path,
                    line=t.line,
                    cue=cue,
                    start_ms=s,
                )
            )
            continue
        share = _speech_share(mask, s, e)
        if e - s >= 1000 and share < 0.2:
            out.append(
                finding(
                    "M003",
                    f"text at {format_clock(max(0, s))}-{format_clock(max(0, e))} falls where "
                    f"there is almost no speech ({share:.0%})",
                    path=path,
                    line=t.line,
                    cue=cue,
                    start_ms=s,
                    end_ms=e,
                    speech_share=round(share, 3),
                )
            )

    # speech that no text covers (merge across pauses shorter than 1 s)
    uncovered = mask & ~covered[: len(mask)]
    merged: list[list[int]] = []
    for a, b in runs(uncovered):
        if merged and (a - merged[-1][1]) * FRAME_MS < 1000:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    for a, b in merged:
        speech_ms = int(uncovered[a:b].sum()) * FRAME_MS
        if speech_ms < MIN_MISSING_MS:
            continue
        s_ms, e_ms = a * FRAME_MS, b * FRAME_MS
        before = [k for k in range(len(idx)) if starts[k] <= s_ms]
        line = turns[idx[before[-1]]].line if before else turns[idx[0]].line
        out.append(
            finding(
                "M002",
                f"{speech_ms / 1000:.1f} s of speech at {format_clock(s_ms)}-"
                f"{format_clock(e_ms)} has no text (missing content?)",
                path=path,
                line=line,
                start_ms=s_ms,
                end_ms=e_ms,
                speech_ms=speech_ms,
            )
        )
    out.sort(key=lambda f: (f.line or 0, f.code))
    return out
