"""``convert --media``: a transcript's turns timed to the speech in the media, then to the words.

A media stage of :mod:`toolkit.pipeline`, called by :func:`~.text_stages.convert_document` between repair
and segmenting. It wires the media I/O (:func:`toolkit.media.analyse.analyse_media`), turn sync
(:func:`toolkit.sync.sync_turns`: offset, jumps, onset snapping) and the word aligner (:mod:`toolkit.align`):
pocketsphinx for English, eSpeak NG + DTW for the languages eSpeak NG speaks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import AlignmentError
from ..language import Language, japanese_reading, word_segmenter
from ..media.analyse import MAX_DAMAGE_NOTES, AnalysedMedia, analyse_media
from ..media.vad import FRAME_MS
from ..model import Finding, Turn
from ..rules import finding
from ..sync import SyncResult, TurnSync, sync_turns
from ..timecode import format_clock
from .conversion import ConvertOptions
from .turn_check import check_turn_sync

if TYPE_CHECKING:
    from ..align.aligner import Aligner
    from ..repair.stage import RemovedCopy
    from ..timing import RateModel

__all__ = ["MediaResult", "apply_media", "duplicate_alternatives", "place_unstamped", "unstamped_bounds"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MediaResult:
    turns: tuple[Turn, ...]
    findings: list[Finding]
    meta: dict[str, Any]  # the JSON output's "meta" entries of the media stages
    duration_ms: int | None


def duplicate_alternatives(
    turns: Sequence[Turn], removed: Sequence[RemovedCopy]
) -> dict[int, list[tuple[int, int]]]:
    """Turn index -> (start_ms, line) of the whole-turn copies of it that duplicate removal dropped (the
    repair stage's :class:`~toolkit.repair.stage.RemovedCopy`): turn sync tries their times too."""
    by_line = {t.line: i for i, t in enumerate(turns)}
    out: dict[int, list[tuple[int, int]]] = {}
    for gone in removed:
        kept = by_line.get(gone.kept_line)
        if gone.start_ms is not None and kept is not None:
            out.setdefault(kept, []).append((gone.start_ms, gone.line))
    return out


def apply_media(
    turns: Sequence[Turn],
    options: ConvertOptions,
    *,
    path: str | None = None,
    rates: RateModel | None = None,
    analysed: AnalysedMedia | None = None,
    removed: Sequence[RemovedCopy] = (),
    language: Language | None = None,
    estimated: frozenset[int] = frozenset(),
    untimed: bool = False,
) -> MediaResult:
    """Time a transcript's turns to the speech in ``options.media`` (see :mod:`toolkit.sync.snapping`).

    ``estimated`` holds the lines of turns the transcript gave no timestamp, whose start repair estimated
    from the speech rates (P004). Such a start is no evidence for turn sync and no bound for the aligner:
    those turns go in without one, the aligner places them after the turn before, and a turn still
    without a start gets its estimate back, moved as the timed turn before it moved
    (:func:`place_unstamped`).

    Word alignment (``options.align == "words"``) runs pocketsphinx on English or on a transcript whose
    language is not known (its acoustic model is English: on other languages its "alignments" are no
    evidence of anything, issue 18). Other languages are aligned turn by turn with eSpeak NG and DTW
    (:mod:`toolkit.align.voiced`); a language eSpeak NG has no voice for gets what ``--align sync`` does,
    and an A003.

    ``untimed``: the transcript had no timestamp at all (``Document.untimed``): its first turn's 0 is a
    placeholder, and the turns move to where the first words are said (:func:`_place_untimed`, M008)."""
    assert options.media is not None
    am = analysed or analyse_media(options.media, audio_stream=options.audio_stream, detector=options.vad)
    placed: list[Finding] = []
    anchor: int | None = None  # an untimed transcript's first spoken turn, placed by its words
    if untimed:
        turns, placed, anchor = _place_untimed(turns, am, path)
    alternatives = duplicate_alternatives(turns, removed)
    damage = [
        finding("M007", f"the media is damaged: {note}; timing near it is uncertain", path=path, ffmpeg=note)
        for note in am.media.damage_notes()[:MAX_DAMAGE_NOTES]
    ]

    def words(seen: Sequence[Turn], result: SyncResult) -> SyncResult | None:
        # where the onsets alone cannot decide the offset, the turns' words do (with the check's report)
        return check_turn_sync(seen, result, am.media.audio, am.media.sample_rate, rates, language)

    given = [replace(t, start_ms=None) if t.line in estimated else t for t in turns]
    ts = sync_turns(
        given, am.mask, duration_ms=am.duration_ms, path=path, alternatives=alternatives, check=words
    )
    media_meta = {
        "path": options.media,
        "duration_ms": am.duration_ms,
        "audio_stream": am.media.stream.specifier,
        **ts.meta,
    }
    if am.media.difference:
        media_meta["channels"] = "their difference (they cancel when added: one's polarity is reversed)"
    synced, findings = place_unstamped(ts.turns, turns), [*damage, *placed, *ts.findings]
    if options.align != "words":
        media_meta["align"] = options.align
    elif language is not None and language.reliable and not language.is_english:
        synced, more, how = _align_voiced(synced, am, language, path)
        findings.extend(more)
        media_meta.update(how)
    else:
        bounds = unstamped_bounds(ts.turns, turns, ts.bounds)
        if anchor is not None and (start := turns[anchor].start_ms) is not None:
            # the place its words were found, not the media's start: speech before it is not its
            reach = (max(0, start - UNTIMED_REACH_MS), start + UNTIMED_REACH_MS)
            bounds = tuple(reach if i == anchor else b for i, b in enumerate(bounds))
        loose = ts._replace(bounds=bounds)
        aligned, more, how = _align_english(loose, am, rates, path)
        synced = place_unstamped(aligned, turns)  # a turn without words or a stamp: its estimate
        findings.extend(more)
        media_meta.update(how)
    if untimed:  # no start was written: none is kept as the source's
        synced = tuple(replace(t, source_start_ms=None) for t in synced)
    return MediaResult(tuple(synced), findings, {"media": media_meta}, am.duration_ms)


UNTIMED_REACH_MS = 1_000  # the first spoken turn of an untimed transcript starts this near the found start


def _place_untimed(
    turns: Sequence[Turn], am: AnalysedMedia, path: str | None
) -> tuple[list[Turn], list[Finding], int | None]:
    """The turns of a transcript without timestamps (the first at 0, the others estimated after it), moved
    so that the first turn with spoken words starts where its words are said
    (:func:`toolkit.align.first_speech.find_first_words`), or, when they fit nowhere, where speech is first
    heard; the finding that says so (M008, or the warning M009 when the place is a guess), and the index
    of that turn (``None``: none has spoken words)."""
    from ..align.first_speech import find_first_words  # lazy: pocketsphinx, as the aligner
    from ..align.normalize import normalize  # lazy: as above

    first = next((i for i, t in enumerate(turns) if any(tok.spoken for tok in normalize(t.text))), None)
    if first is None:
        message = "the transcript has no timestamps and no spoken words to look for: it starts at 0"
        line = turns[0].line if turns else 0
        return list(turns), [finding("M009", message, path=path, line=line, start_ms=0, found=False)], None
    texts = [t.text for t in turns[first : first + 3]]
    found = find_first_words(texts, am.media.audio, am.mask, sample_rate=am.media.sample_rate)
    speech = np.flatnonzero(am.mask)
    if found is not None:
        at = found.start_ms
        how = f"its first words were found at {format_clock(at)} in the audio"
        if not found.verified:
            how += ", but they fit there not clearly better than elsewhere: is this the right media?"
    elif speech.size:
        at = int(speech[0]) * FRAME_MS
        heard = format_clock(at)
        how = f"its first words fit nowhere in the audio; taken to start where speech is first heard, {heard}"
    else:
        at = 0
        how = "no speech is heard in the media; it is taken to start at 0"
    code = "M008" if found is not None and found.verified else "M009"
    note = finding(
        code,
        f"the transcript has no timestamps: {how}; the turns are aligned one after another from there",
        path=path,
        line=turns[first].line,
        start_ms=at,
        found=found is not None,
    )
    shift = at - (turns[first].start_ms or 0)
    moved = [t if t.start_ms is None else replace(t, start_ms=max(0, t.start_ms + shift)) for t in turns]
    return moved, [note], first


def _align_english(
    ts: TurnSync, am: AnalysedMedia, rates: RateModel | None, path: str | None
) -> tuple[tuple[Turn, ...], list[Finding], dict[str, str]]:
    """The synced turns aligned word by word by pocketsphinx, inside the ranges turn sync left; the
    findings, and the ``align`` meta entry."""
    try:
        from ..align import align_turns  # lazy: pocketsphinx and the aligner (~45 ms) only for --align words
    except ImportError as exc:
        return ts.turns, [], {"align": f"unavailable ({exc}); sync only"}
    aligned, align_findings = align_turns(
        ts.turns,
        am.media.audio,
        sample_rate=am.media.sample_rate,
        speech=am.mask,
        rates=rates,
        path=path,
        bounds=ts.bounds,
    )
    return tuple(aligned), list(align_findings), {"align": "words"}


def _align_voiced(
    synced: tuple[Turn, ...], am: AnalysedMedia, language: Language, path: str | None
) -> tuple[tuple[Turn, ...], list[Finding], dict[str, str]]:
    """The synced turns of another language aligned by eSpeak NG + DTW, or left as turn sync timed them
    (with an A003) when eSpeak NG has no voice for the language; the findings and the meta entries."""
    voiced = _voiced_engine(language.code)
    if voiced is None:
        a003 = finding(
            "A003",
            f"no word aligner for language {language.tag} (the acoustic model is English and eSpeak "
            "NG has no voice for it): turns are timed by turn sync and speech onsets, as --align "
            "sync does",
            path=path,
            language=language.tag,
        )
        return synced, [a003], {"align": "sync", "align_requested": "words"}
    from ..align.voiced import align_turns_voiced  # lazy: the aligner (~45 ms) only for --align words
    from ..align.windows import SpeechIndex  # lazy: as above

    aligned, voiced_findings = align_turns_voiced(
        synced,
        am.media.audio,
        voiced,
        sample_rate=am.media.sample_rate,
        speech_end_ms=SpeechIndex(am.mask).last_speech_ms or None,
        words=word_segmenter(language) if language.is_cjk else None,
        cjk=language.is_cjk,
        reading=japanese_reading() if language.code == "ja" else None,
        path=path,
    )
    how = f"words (eSpeak NG voice {getattr(voiced, 'voice', '?')} + DTW)"
    return tuple(aligned), list(voiced_findings), {"align": how}


def _voiced_engine(code: str) -> Aligner | None:
    """The eSpeak NG + DTW aligner for a language it speaks, or ``None`` (no voice, or it cannot load)."""
    try:
        from ..align.dtw import EspeakAligner  # lazy: loads eSpeak NG, only for other languages

        return EspeakAligner(code)
    except (ImportError, AlignmentError) as exc:
        log.info("no eSpeak NG aligner for %s: %s", code, exc)
        return None


UNSTAMPED_SLACK_MS = 3_000  # a turn without a stamp lies this far around its estimate at least ...
UNSTAMPED_SLACK_SHARE = 0.35  # ... or this share of the time since the last stamp (the rate model drifts)


def unstamped_bounds(
    timed: Sequence[Turn], estimates: Sequence[Turn], bounds: Sequence[tuple[int, int] | None]
) -> tuple[tuple[int, int] | None, ...]:
    """``bounds`` with a range for every turn without a start: around its estimate, moved as the last
    stamped turn before it moved, as wide as the rate model may have drifted since that stamp. The
    aligner places such a turn after the turn before it; the range keeps a lost thread from running on
    for minutes."""
    out = list(bounds)
    shift, since = 0, 0
    for i, t in enumerate(timed):
        guess = estimates[i].start_ms
        if t.start_ms is not None:
            if guess is not None:
                shift, since = t.start_ms - guess, t.start_ms
            continue
        if guess is None or out[i] is not None:
            continue
        at = guess + shift
        slack = max(UNSTAMPED_SLACK_MS, int(UNSTAMPED_SLACK_SHARE * max(0, at - since)))
        out[i] = (max(0, at - slack), at + slack)
    return tuple(out)


def place_unstamped(timed: Sequence[Turn], estimates: Sequence[Turn]) -> tuple[Turn, ...]:
    """``timed`` with every turn that has no start given its estimate (the same turn in ``estimates``),
    moved as far as the nearest turn before it that has one moved from its own estimate, and kept
    between its neighbours. A turn before it timed without words, whose speech was taken to run on to
    the next timed turn, now ends where this one starts."""
    out = list(timed)
    after_of: list[int | None] = [None] * len(out)  # the next start among the turns after each (linear)
    for i in range(len(out) - 2, -1, -1):
        nxt = out[i + 1].start_ms
        after_of[i] = nxt if nxt is not None else after_of[i + 1]
    shift = 0
    last: int | None = None  # the index of the nearest turn before that has a start
    for i, t in enumerate(out):
        guess = estimates[i].start_ms
        if t.start_ms is not None:
            shift = t.start_ms - guess if guess is not None else shift
            last = i
            continue
        if guess is None:
            continue
        start = max(0, guess + shift)
        after = after_of[i]
        if after is not None:
            start = min(start, after)
        if last is not None:
            before = out[last]
            start = max(start, before.start_ms or 0)
            if not before.words and before.end_ms is not None and before.end_ms > start:
                out[last] = replace(before, end_ms=start if start > (before.start_ms or 0) else None)
        out[i] = replace(t, start_ms=start, end_ms=None)
        last = i
    return tuple(out)
