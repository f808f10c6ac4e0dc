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

The media rules of :mod:`toolkit.validate`, above :mod:`toolkit.sync` (the offset and the jumps) and
:mod:`toolkit.media` (decoding and speech detection). All checks run on the times *after* the detected
offset and jumps are taken out, so one shifted block gives one M005, not a finding per turn. A turn's
text is expected to take the time its words take at the speaker's rate
(:class:`~toolkit.timing.RateModel`, with ``RATE_SLACK``), capped by the next turn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..language import detect_language
from ..media.analyse import AnalysedMedia, analyse_media
from ..media.vad import FRAME_MS, runs
from ..model import Document, Finding, Turn
from ..pipeline.turn_check import check_turn_sync
from ..rules import finding
from ..sync import SyncParams, SyncResult, find_sync, shifted_blocks, speech_residuals, turn_sync
from ..sync.findings import OFFSET_REPORT_MS, Anchor, sync_findings
from ..timecode import format_clock
from ..timing import RateModel, count_words

__all__ = ["media_findings"]

SILENCE_WINDOW_MS = 3000
MIN_MISSING_MS = 3000
RATE_SLACK = 1.3
CAPTION_OFFSET_REPORT_MS = 100
END_TOLERANCE_MS = 500


@dataclass(frozen=True, slots=True)
class _Timed:
    """The timed turns (a caption file's cues) of a document, as the checks see them."""

    turns: tuple[Turn, ...]
    idx: list[int]  # the indices of the turns with a start
    stamps: np.ndarray  # their starts as written, ms
    path: str
    is_transcript: bool

    def line(self, k: int) -> int | None:
        return self.turns[self.idx[k]].line

    def cue(self, k: int) -> int | None:
        """The 1-based cue number of the ``k``-th timed turn in a caption file (``None`` in a transcript)."""
        return None if self.is_transcript else self.idx[k] + 1


def media_findings(
    doc: Document,
    media_path: str,
    *,
    audio_stream: str | None = None,
    analysed: AnalysedMedia | None = None,
) -> list[Finding]:
    """Findings M001-M006 and C014/T006 for ``doc`` against the media at ``media_path``."""
    am = analysed or analyse_media(media_path, audio_stream=audio_stream)
    mask = am.mask
    idx = [i for i, t in enumerate(doc.turns) if t.start_ms is not None]
    if not idx:
        return []
    stamps = np.array([int(doc.turns[i].start_ms or 0) for i in idx], dtype=np.int64)
    timed = _Timed(doc.turns, idx, stamps, doc.path, doc.kind == "transcript")
    rates = RateModel.fit(timed.turns) if timed.is_transcript else None
    ends = _expected_ends(timed, rates)

    # offset and jumps
    if timed.is_transcript:
        synced = turn_sync(timed.turns, mask, rates=rates)
        assert synced is not None or len(idx) < 2
        result = synced[1] if synced else None
        # where the onsets cannot decide the offset, the transcript's words do (as convert --media does)
        language = detect_language(t.text for t in timed.turns)
        decided = check_turn_sync(timed.turns, result, am.media.audio, am.media.sample_rate, rates, language)
        result = decided or result
    else:
        result = find_sync(stamps.tolist(), ends.tolist(), mask, SyncParams())
    out = _offset_findings(timed, result)
    offsets = np.zeros(len(idx), dtype=np.int64)
    ratio = 1.0
    if result is not None and result.accepted:
        offsets = result.offsets_for(len(idx))
        ratio = result.ratio
        if timed.is_transcript:
            reported = {f.line for f in out if f.code == "M005"}
            out.extend(_shifted_turns(timed, stamps + offsets, mask, reported))
    starts = np.round(stamps * ratio).astype(np.int64) + offsets
    ends = np.round(ends * ratio).astype(np.int64) + offsets
    turn_findings, covered = _turn_findings(timed, starts, ends, mask, am.duration_ms)
    out.extend(turn_findings)
    out.extend(_missing_speech(timed, starts, mask & ~covered[: len(mask)]))
    out.sort(key=lambda f: (f.line or 0, f.code))
    return out


def _speech_share(mask: np.ndarray, start_ms: int, end_ms: int) -> float:
    a, b = max(0, start_ms // FRAME_MS), min(len(mask), max(0, end_ms // FRAME_MS))
    return float(mask[a:b].mean()) if b > a else 0.0


def _expected_ends(timed: _Timed, rates: RateModel | None) -> np.ndarray:
    """The expected end of each timed turn's speech (before any correction): a cue's own end, else the
    time its words take at the speaker's rate (with slack), capped by the next turn."""
    stamps = timed.stamps
    ends = np.empty(len(timed.idx), dtype=np.int64)
    for k, i in enumerate(timed.idx):
        t = timed.turns[i]
        nxt = int(stamps[k + 1]) if k + 1 < len(timed.idx) else None
        if not timed.is_transcript and t.end_ms is not None:
            ends[k] = t.end_ms
        else:
            need = int((rates.speech_ms(t.speaker, t.text) if rates else 2000) * RATE_SLACK) + 500
            ends[k] = stamps[k] + need if nxt is None else min(nxt, stamps[k] + need)
        ends[k] = max(ends[k], stamps[k] + 1)
    return ends


def _offset_findings(timed: _Timed, result: SyncResult | None) -> list[Finding]:
    """M004 (an offset, or a caption file's frame rate) and M005 (each jump) for an accepted sync; M006
    for a refused one (:func:`toolkit.sync.findings.sync_findings`, which convert reports with too)."""
    if result is None:
        return []

    def anchor(k: int) -> Anchor:
        return Anchor(timed.line(k), int(timed.stamps[k]), timed.cue(k))

    return sync_findings(
        result,
        anchor,
        path=timed.path,
        corrected=False,
        report_ms=OFFSET_REPORT_MS if timed.is_transcript else CAPTION_OFFSET_REPORT_MS,
        frame_rate=not timed.is_transcript,
    )


def _shifted_turns(
    timed: _Timed, stamps: np.ndarray, mask: np.ndarray, reported: set[int | None]
) -> list[Finding]:
    """M005 for runs of turns whose speech says they are shifted (``stamps``: after the offset), except
    where a jump was ``reported`` already. Only for turns that sync with the speech at all: a meeting's
    overlapping talk makes the residuals noise, and a jump 'found' there is not one."""
    words = np.array([count_words(timed.turns[i].text) for i in timed.idx], dtype=np.float64)
    resid, need_ms = speech_residuals(stamps, words, mask)
    density = max(0.3, float(mask.mean()))
    out: list[Finding] = []
    for first_k, last_k, surplus in shifted_blocks(resid, need_ms):
        first_line, last_line = timed.line(first_k), timed.line(last_k)
        if first_line in reported:
            continue
        late_ms = round(surplus / density)
        out.append(
            finding(
                "M005",
                f"the turns at lines {first_line}-{last_line} look shifted by about "
                f"{late_ms / 1000:+.0f} s: {abs(surplus) / 1000:.1f} s of speech "
                f"{'more' if surplus > 0 else 'less'} than the text needs before them, the reverse after",
                path=timed.path,
                line=first_line,
                first_line=first_line,
                last_line=last_line,
                shift_ms=late_ms,
                surplus_speech_ms=int(surplus),
            )
        )
    return out


def _turn_findings(
    timed: _Timed, starts: np.ndarray, ends: np.ndarray, mask: np.ndarray, duration: int
) -> tuple[list[Finding], np.ndarray]:
    """Per timed turn (at its corrected times): T006/C014 past the end of the media, M001 no speech near
    its start, M003 its text where there is almost no speech; and the frames some text covers."""
    out: list[Finding] = []
    covered = np.zeros(len(mask), dtype=bool)
    for k, i in enumerate(timed.idx):
        t = timed.turns[i]
        s, e, raw = int(starts[k]), int(ends[k]), int(timed.stamps[k])
        if raw >= duration:
            out.append(
                finding(
                    "T006" if timed.is_transcript else "C014",
                    f"starts at {format_clock(raw)}, after the end of the media ({format_clock(duration)})",
                    path=timed.path,
                    line=t.line,
                    cue=timed.cue(k),
                    start_ms=raw,
                    media_end_ms=duration,
                )
            )
            continue
        if not timed.is_transcript and t.end_ms is not None and t.end_ms > duration + END_TOLERANCE_MS:
            out.append(
                finding(
                    "C014",
                    f"ends at {format_clock(t.end_ms)}, after the end of the media "
                    f"({format_clock(duration)})",
                    path=timed.path,
                    line=t.line,
                    cue=timed.cue(k),
                    end_ms=t.end_ms,
                    media_end_ms=duration,
                )
            )
        covered[max(0, s // FRAME_MS - 100) : max(0, e // FRAME_MS + 100)] = True
        out.extend(_speech_at(timed, k, (s, e), mask))
    return out, covered


def _speech_at(timed: _Timed, k: int, span: tuple[int, int], mask: np.ndarray) -> list[Finding]:
    """M001 when there is no speech near the ``k``-th timed turn's start, else M003 when its text's
    ``span`` (ms) falls where there is almost no speech."""
    s, e = span
    line, cue = timed.line(k), timed.cue(k)
    near = _speech_share(mask, s - 1000, s + SILENCE_WINDOW_MS)
    if near < 0.02:
        message = f"no speech within {SILENCE_WINDOW_MS // 1000} s of the timestamp {format_clock(max(0, s))}"
        return [finding("M001", message, path=timed.path, line=line, cue=cue, start_ms=s)]
    share = _speech_share(mask, s, e)
    if e - s >= 1000 and share < 0.2:
        message = (
            f"text at {format_clock(max(0, s))}-{format_clock(max(0, e))} falls where "
            f"there is almost no speech ({share:.0%})"
        )
        return [
            finding(
                "M003",
                message,
                path=timed.path,
                line=line,
                cue=cue,
                start_ms=s,
                end_ms=e,
                speech_share=round(share, 3),
            )
        ]
    return []


def _missing_speech(timed: _Timed, starts: np.ndarray, uncovered: np.ndarray) -> list[Finding]:
    """M002 for speech that no text covers (merged across pauses shorter than 1 s)."""
    merged: list[list[int]] = []
    for a, b in runs(uncovered):
        if merged and (a - merged[-1][1]) * FRAME_MS < 1000:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    out: list[Finding] = []
    for a, b in merged:
        speech_ms = int(uncovered[a:b].sum()) * FRAME_MS
        if speech_ms < MIN_MISSING_MS:
            continue
        s_ms, e_ms = a * FRAME_MS, b * FRAME_MS
        before = [k for k in range(len(timed.idx)) if starts[k] <= s_ms]
        out.append(
            finding(
                "M002",
                f"{speech_ms / 1000:.1f} s of speech at {format_clock(s_ms)}-"
                f"{format_clock(e_ms)} has no text (missing content?)",
                path=timed.path,
                line=timed.line(before[-1]) if before else timed.line(0),
                start_ms=s_ms,
                end_ms=e_ms,
                speech_ms=speech_ms,
            )
        )
    return out
