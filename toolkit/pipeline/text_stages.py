"""The text pipeline: read a file, then parse -> repair -> (media sync and alignment) -> segment.

The middle of :mod:`toolkit.pipeline`: :func:`convert_file` tells a caption file (kept cue for cue,
:func:`convert_captions`) from a transcript (:func:`convert_document`) and calls the stages in order,
collecting their findings. Every stage is a function from data to data; ``convert_file`` is a plain
function of (path, options) -> result, so the batch runner can ship it to worker processes or a Dask
cluster. The media stages (:mod:`.media_stages`) and the writers (:mod:`.rendering`) sit beside it.

The transcript stages (parse, repair, language, timing, segment) are imported where they are called: a
caption file's conversion skips them and the ~110 ms their imports take. So are the delivery formats.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..captions import Captions, decode_caption_bytes, detect_format, loads
from ..captions.labels import meeting_labels, metadata_speech
from ..captions.rolling import merge_rolling
from ..checks.caption_rules import check_document
from ..errors import NoTimestampsError, ParseError
from ..io import STDIN, read_input
from ..model import Document, Finding, Turn
from ..profiles import LANGUAGE_PROFILES, PROFILES
from ..rules import encoding_finding, finding
from ..timecode import format_clock
from .conversion import DELIVERY_INPUTS, ConvertOptions, ConvertResult

if TYPE_CHECKING:
    from ..language import Language
    from ..repair.stage import RemovedCopy

__all__ = [
    "CLOCK_FROM_MS",
    "clock_time_offset",
    "convert_captions",
    "convert_document",
    "convert_file",
    "transcript_language",
]

CLOCK_FROM_MS = 3_600_000  # a first timestamp an hour or more in: a clock time or a broadcast time base


def convert_file(path: str | Path, options: ConvertOptions) -> ConvertResult:
    """Read and convert one file. A caption file (SRT/WebVTT by its content) is converted cue for cue,
    unless ``options.resegment`` or ``options.media`` asks for new cues; anything else is a transcript."""
    name = STDIN if str(path) == "-" else str(path)
    data = read_input(path)
    delivery = DELIVERY_INPUTS.get(Path(name).suffix.lower()) or _sniff_delivery(data)
    if delivery is not None:
        from ..captions.delivery import loads_delivery  # lazy: TTML/SCC/ASS/STL only (~7 ms)

        captions = loads_delivery(data, delivery, path=name, fps=options.fps)
        if not (options.resegment or options.media):
            return convert_captions(captions, options)
        return convert_document(_document_of(captions), options)
    if not (options.resegment or options.media or options.layout) and _looks_like_captions(data):
        text, encoding = decode_caption_bytes(data, path=name)
        fmt = detect_format(text, name)
        if fmt is not None:
            captions = loads(text, fmt, path=name, encoding=encoding, lenient=options.lenient)
            # a meeting tool's transcript in caption form ("John Smith: Hello" in every cue) is a
            # transcript: its speakers and turns go through repair and segmenting like any other
            texts = [c.plain.replace("\n", " ") for c in captions.cues]
            records = any(metadata_speech(t) is not None for t in texts[:20])
            if meeting_labels(texts) is None and not records:
                return convert_captions(captions, options)
    from ..parse import document_from_bytes  # lazy: a caption file's conversion skips the parser (~35 ms)

    doc = document_from_bytes(
        data, path=name, fps=options.fps, name_for_kind=str(path), layout=options.layout,
        untimed=options.media is not None and options.align == "words",
    )  # fmt: skip
    logging.getLogger("toolkit.parse").info(
        "%s: layout %s%s",
        name,
        doc.layout,
        ""
        if doc.layout_confidence is None
        else f" ({doc.layout_confidence:.0%} of the timed lines are turn starts)",
    )
    return convert_document(doc, options)


def convert_document(doc: Document, options: ConvertOptions) -> ConvertResult:
    """Repair, (optionally) sync and align to media, then segment the turns of a parsed document."""
    from ..language import word_segmenter  # lazy: a caption file's conversion skips the transcript stages
    from ..repair import repair  # lazy: as above
    from ..segment import segment  # lazy: as above
    from ..timing import RateModel  # lazy: as above

    _require_text(doc)
    findings: list[Finding] = list(doc.findings)
    turns: tuple[Turn, ...] = doc.turns
    meta: dict[str, Any] = {}
    removed: tuple[RemovedCopy, ...] = ()
    estimated: frozenset[int] = frozenset()  # lines of turns without a timestamp, their start estimated
    is_transcript = doc.kind == "transcript" or (doc.layout or "").startswith("meeting-")  # or a meeting
    if is_transcript:  # (a meeting in caption form is repaired and checked as a transcript)
        turns, offset = clock_time_offset(turns, options.duration_ms)
        if offset:
            findings.append(_clock_time_finding(doc, offset))
            meta["clock_offset_ms"] = offset
            doc = replace(doc, turns=turns)  # repair reads the document
        if options.repair:
            repaired = repair(doc, duration_ms=options.duration_ms, speakers=dict(options.speakers) or None)
            turns, removed = repaired.turns, repaired.removed
            estimated = frozenset(c.lines[0] for c in repaired.changes if c.kind == "missing-timestamp")
            # a file with no timestamp at all: one M008 says so, not a P004 for every turn but the first
            # (nor T006 for estimates past a --duration: the file has no time to be wrong)
            findings.extend(f for f in repaired.findings if not (doc.untimed and f.code in ("P004", "T006")))
    language = transcript_language(turns, options.language, path=doc.path, findings=findings)
    cjk = language is not None and language.is_cjk
    if language is not None:
        meta.update(language.meta())
        if options.auto_profile and cjk and language.code in LANGUAGE_PROFILES:
            options = replace(options, profile=PROFILES[LANGUAGE_PROFILES[language.code]])
    if doc.untimed and language is not None and language.reliable and not language.is_english:
        raise NoTimestampsError(
            f"no timestamps found; with --media, a transcript without any is placed in the audio only in "
            f"English (the aligner's acoustic model), and this one reads as {language.tag}",
            path=doc.path,
        )
    rates = RateModel.fit(turns, chars=cjk)
    duration_ms = options.duration_ms
    if options.media:
        from .media_stages import apply_media  # lazy: numpy, ffmpeg, the speech detectors: only for --media

        media_result = apply_media(
            turns,
            options,
            path=doc.path,
            rates=rates,
            removed=removed,
            language=language,
            estimated=estimated,
            untimed=doc.untimed,
        )
        turns = media_result.turns
        if is_transcript and options.duration_ms is None and media_result.duration_ms and not doc.untimed:
            # repair did not know the duration: T006 here, at the synced times (a shift is no error)
            from ..repair import after_media_end  # lazy: as repair above

            findings.extend(after_media_end(turns, media_result.duration_ms, doc.path))
        findings.extend(media_result.findings)
        meta.update(media_result.meta)
        duration_ms = media_result.duration_ms or duration_ms
    words = word_segmenter(language) if cjk else None
    cues, seg_findings = segment(
        turns, options.profile, rates=rates, duration_ms=duration_ms, path=doc.path, cjk=cjk, words=words
    )
    findings.extend(seg_findings)
    meta["rates_wps"] = rates.summary()
    if rates.unit == "chars":
        meta["rates_unit"] = "characters per second (Chinese/Japanese; words of other scripts count one each)"
    return ConvertResult(doc, tuple(turns), tuple(cues), tuple(findings), options, meta)


def _require_text(doc: Document) -> None:
    """Raise :class:`ParseError` when no turn of ``doc`` has any text: there is nothing to convert."""
    if any(t.text.strip() for t in doc.turns):
        return
    if doc.kind == "transcript":
        raise ParseError("no turn has any text: nothing to convert", path=doc.path)
    left_out = sum(1 for f in doc.findings if f.code == "P006" and f.cue is not None)
    raise ParseError(
        f"no cue with a readable start and text ({left_out} left out): nothing to convert", path=doc.path
    )


def _clock_time_finding(doc: Document, offset: int) -> Finding:
    """T009: the transcript's times were clock times or a broadcast time base, taken back by ``offset``."""
    return finding(
        "T009",
        f"the timestamps are clock times or a broadcast time base (the first is "
        f"{format_clock(offset)}): the captions start at 0, every time {format_clock(offset)} "
        "earlier (--duration longer than that keeps the times as written)",
        path=doc.path,
        line=doc.turns[0].line if doc.turns else None,
        offset_ms=offset,
    )


def clock_time_offset(turns: tuple[Turn, ...], duration_ms: int | None) -> tuple[tuple[Turn, ...], int]:
    """Turns stamped with clock times (a meeting at 19:00:25) or a broadcast time base (10:00:00:00)
    moved to start at 0, and the offset taken off (0 when the first timestamp is under an hour, or the
    media is known to be longer than it)."""
    starts = [t.start_ms for t in turns if t.start_ms is not None]
    if not starts or starts[0] < CLOCK_FROM_MS or min(starts) < CLOCK_FROM_MS:
        return turns, 0
    if duration_ms is not None and duration_ms > starts[0]:
        return turns, 0
    offset = min(starts) // 1000 * 1000  # the earliest (a misordered turn must not go below 0)
    return tuple(t.retimed(t.start_ms - offset) if t.start_ms is not None else t for t in turns), offset


def transcript_language(
    turns: Sequence[Turn], given: str | None, *, path: str | None, findings: list[Finding]
) -> Language | None:
    """The language of ``turns``: ``given`` (a code the CLI has validated), else detected from the text;
    reported as a P010 note appended to ``findings`` unless it is English, detected (English transcripts
    convert as they always have). ``None`` when nothing could be detected."""
    from ..language import detect_language, parse_language  # lazy: a caption file's conversion skips it

    language = parse_language(given) if given else detect_language(t.text for t in turns)
    if language is None or (language.is_english and language.source == "detected"):
        return language
    how = (
        "given with --language"
        if language.source == "option"
        else f"detected from the text, confidence {language.confidence or 0:.2f}"
    )
    findings.append(
        finding(
            "P010",
            f"language {language.tag} ({how})",
            path=path,
            language=language.tag,
            iso639_1=language.code,
            source=language.source,
            confidence=None if language.confidence is None else round(language.confidence, 3),
        )
    )
    return language


def _sniff_delivery(data: bytes) -> str | None:
    """A delivery format known by its content: TTML, SCC, ASS/SSA (EBU STL only by its name)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"Scenarist_SCC"):
        return "scc"
    if head.startswith(b"[Script Info]"):
        return "ass" if b"v4.00+" in data[:4096].lower() else "ssa"
    if head.startswith((b"<?xml", b"<tt")) and b"http://www.w3.org/ns/ttml" in data[:4096]:
        return "ttml"
    return None


def _document_of(captions: Captions) -> Document:
    """A caption document as turns (one per cue, the speaker its voice), for --resegment and --media."""
    turns = tuple(
        Turn(
            c.speaker,
            c.start_ms,
            " ".join(c.plain.split()),
            c.line or k,
            c.end_ms if c.end_ms >= c.start_ms else None,
        )
        for k, c in enumerate(captions.cues, start=1)
        if c.plain.strip()
    )
    return Document(
        path=captions.path or "<input>",
        kind=captions.format,
        turns=turns,
        findings=captions.findings,
        encoding=captions.encoding,
        layout=captions.format,
    )


def _looks_like_captions(data: bytes) -> bool:
    head = data[:65536]
    if b"-->" in head or b"WEBVTT" in head[:16]:
        return True
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # UTF-32 (a BOM names it)
        return "-->" in head[: len(head) // 4 * 4].decode("utf-32", "replace")
    return b"-\x00-\x00>" in head or b"\x00-\x00-\x00>" in head  # UTF-16 (the decoder checks the rest)


def convert_captions(captions: Captions, options: ConvertOptions) -> ConvertResult:
    """A caption document kept cue for cue: the profile's limits are checked and reported, not applied."""

    if not any(c.plain.strip() for c in captions.cues):
        what = "no cue has any text" if captions.cues else "no cue could be read"
        raise ParseError(f"{what}: nothing to convert", path=captions.path)
    captions, merged = merge_rolling(captions)
    findings = [*captions.findings, *merged]
    if captions.encoding.lower() not in ("utf-8", "utf-8-sig", "ascii"):  # as a transcript's (P002)
        findings.insert(0, encoding_finding(captions.encoding, captions.path or "<input>"))
    findings.extend(check_document(captions, profile=options.profile, duration_ms=options.duration_ms))
    doc = Document(
        path=captions.path or "<input>",
        kind=captions.format,
        turns=(),
        findings=tuple(captions.findings),
        encoding=captions.encoding,
        layout=captions.format,
    )
    meta: dict[str, Any] = {"converted": "cue for cue (use --resegment to re-cut to the profile)"}
    return ConvertResult(doc, (), (), tuple(findings), options, meta, captions)
