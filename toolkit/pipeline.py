"""The one place that wires the stages together: parse -> repair -> (media sync/align) -> segment -> write.

Every stage is a function from data to data; this module only calls them in order and collects their
findings. ``convert_file`` is a plain function of (path, options) -> result, so the batch runner can ship
it to worker processes or a Dask cluster.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .model import Cue, Document, Finding, Turn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .captions import Captions
    from .language import Language
    from .repair.engine import RemovedCopy
from .captions.kinds import DELIVERY_FORMATS, EXTENSIONS
from .profiles import DEFAULT_PROFILE, LANGUAGE_PROFILES, PROFILES, Profile

FORMATS = ("srt", "vtt", "json", "ttml", "scc", "ass", "ssa")
# written and read through toolkit.captions.delivery (ttconv, pycaption, pysubs2); the extensions of the
# formats read as caption documents besides SRT/WebVTT (EBU STL is read, not written)
DELIVERY = DELIVERY_FORMATS
DELIVERY_INPUTS = EXTENSIONS
SPEAKER_STYLES = ("upper", "name", "bracket", "none")


@dataclass(frozen=True, slots=True)
class ConvertOptions:
    profile: Profile = PROFILES[DEFAULT_PROFILE]
    speaker_style: str = "upper"  # SRT speaker labels at each change: TUCKER: / Tucker: / [Tucker] / none
    duration_ms: int | None = None  # media duration, when known without the media
    fps: float | None = None  # for HH:MM:SS:FF timestamps
    repair: bool = True
    media: str | None = None  # path of the video/audio file
    audio_stream: str | None = None  # ffmpeg stream specifier, e.g. "a:1"
    vad: str = "silero"  # the speech detector for the media: silero | webrtc (toolkit.media.vad)
    align: str = "words"  # with media: words | sync | none
    word_timestamps: bool = False  # WebVTT <00:00:01.000> tags (needs word times)
    speakers: tuple[tuple[str, str], ...] = ()  # (variant, name) pairs overriding the speaker merge rules
    resegment: bool = False  # caption input: re-cut cues to the profile (default: keep them as they are)
    lenient: bool = False  # WebVTT input: keep cues browsers drop (comma times), with a finding
    layout: str | None = None  # force a transcript layout (toolkit.parse.FORCED), or "meeting" captions
    language: str | None = None  # ISO 639-1/-3 or BCP 47 (toolkit.language); None = detect from the text
    auto_profile: bool = False  # the profile was not chosen: Chinese/Japanese get their own (profiles.py)


@dataclass(frozen=True, slots=True)
class ConvertResult:
    document: Document
    turns: tuple[Turn, ...]
    cues: tuple[Cue, ...]
    findings: tuple[Finding, ...]
    options: ConvertOptions
    meta: dict[str, Any] = field(default_factory=dict)
    captions: Captions | None = None  # a caption file converted as it is (no re-segmenting)

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def cue_count(self) -> int:
        return len(self.captions) if self.captions is not None else len(self.cues)


def convert_document(doc: Document, options: ConvertOptions) -> ConvertResult:
    """Repair, (optionally) sync and align to media, then segment the turns of a parsed document."""
    from .repair import repair
    from .segment import segment
    from .timing import RateModel

    if not any(t.text.strip() for t in doc.turns):
        from .errors import ParseError

        if doc.kind == "transcript":
            raise ParseError("no turn has any text: nothing to convert", path=doc.path)
        left_out = sum(1 for f in doc.findings if f.code == "P006" and f.cue is not None)
        raise ParseError(
            f"no cue with a readable start and text ({left_out} left out): nothing to convert", path=doc.path
        )
    findings: list[Finding] = list(doc.findings)
    turns: tuple[Turn, ...] = doc.turns
    meta: dict[str, Any] = {}
    meeting = (doc.layout or "").startswith("meeting-")  # a meeting transcript in caption form
    if doc.kind == "transcript" or meeting:
        turns, offset = clock_time_offset(turns, options.duration_ms)
        if offset:
            from .rules import finding
            from .timecode import format_clock

            findings.append(
                finding(
                    "T009",
                    f"the timestamps are clock times or a broadcast time base (the first is "
                    f"{format_clock(offset)}): the captions start at 0, every time {format_clock(offset)} "
                    "earlier (--duration longer than that keeps the times as written)",
                    path=doc.path,
                    line=doc.turns[0].line if doc.turns else None,
                    offset_ms=offset,
                )
            )
            meta["clock_offset_ms"] = offset
            from dataclasses import replace as _replace

            doc = _replace(doc, turns=turns)  # repair reads the document
    removed: tuple[RemovedCopy, ...] = ()
    if options.repair and (doc.kind == "transcript" or meeting):
        repaired = repair(doc, duration_ms=options.duration_ms, speakers=dict(options.speakers) or None)
        turns = repaired.turns
        removed = repaired.removed
        findings.extend(repaired.findings)
    language = transcript_language(turns, options.language, path=doc.path, findings=findings)
    cjk = language is not None and language.is_cjk
    if language is not None:
        meta.update(language.meta())
        if options.auto_profile and cjk and language.code in LANGUAGE_PROFILES:
            from dataclasses import replace

            options = replace(options, profile=PROFILES[LANGUAGE_PROFILES[language.code]])
    rates = RateModel.fit(turns, chars=cjk)
    duration_ms = options.duration_ms
    if options.media:
        from .media.stages import apply_media

        media_result = apply_media(
            turns, options, path=doc.path, rates=rates, removed=removed, language=language
        )
        turns = media_result.turns
        findings.extend(media_result.findings)
        meta.update(media_result.meta)
        duration_ms = media_result.duration_ms or duration_ms
    words = None
    if cjk:
        from .language import word_segmenter

        words = word_segmenter(language)
    cues, seg_findings = segment(
        turns, options.profile, rates=rates, duration_ms=duration_ms, path=doc.path, cjk=cjk, words=words
    )
    findings.extend(seg_findings)
    meta["rates_wps"] = rates.summary()
    if rates.unit == "chars":
        meta["rates_unit"] = "characters per second (Chinese/Japanese; words of other scripts count one each)"
    return ConvertResult(doc, tuple(turns), tuple(cues), tuple(findings), options, meta)


CLOCK_FROM_MS = 3_600_000  # a first timestamp an hour or more in: a clock time or a broadcast time base


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
    from .language import detect_language, parse_language
    from .rules import finding

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


def convert_file(path: str | Path, options: ConvertOptions) -> ConvertResult:
    """Read and convert one file. A caption file (SRT/WebVTT by its content) is converted cue for cue,
    unless ``options.resegment`` or ``options.media`` asks for new cues; anything else is a transcript."""
    from .io import STDIN, read_input

    name = STDIN if str(path) == "-" else str(path)
    data = read_input(path)
    delivery = DELIVERY_INPUTS.get(Path(name).suffix.lower()) or _sniff_delivery(data)
    if delivery is not None:
        from .captions.delivery import loads_delivery

        captions = loads_delivery(data, delivery, path=name, fps=options.fps)
        if not (options.resegment or options.media):
            return convert_captions(captions, options)
        return convert_document(_document_of(captions), options)
    if not (options.resegment or options.media or options.layout) and _looks_like_captions(data):
        from .captions import decode_caption_bytes, detect_format, loads
        from .captions.labels import meeting_labels, metadata_speech

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
    from .parse import document_from_bytes

    doc = document_from_bytes(
        data, path=name, fps=options.fps, name_for_kind=str(path), layout=options.layout
    )
    logging.getLogger("toolkit.parse").info(
        "%s: layout %s%s",
        name,
        doc.layout,
        ""
        if doc.layout_confidence is None
        else f" ({doc.layout_confidence:.0%} of the timed lines are turn starts)",
    )
    return convert_document(doc, options)


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
    return b"-\x00-\x00>" in head or b"\x00-\x00-\x00>" in head  # UTF-16 (the decoder checks the rest)


def convert_captions(captions: Captions, options: ConvertOptions) -> ConvertResult:
    """A caption document kept cue for cue: the profile's limits are checked and reported, not applied."""
    from .errors import ParseError
    from .validate.captions import check_document

    if not any(c.plain.strip() for c in captions.cues):
        what = "no cue has any text" if captions.cues else "no cue could be read"
        raise ParseError(f"{what}: nothing to convert", path=captions.path)
    from .captions.rolling import merge_rolling

    captions, merged = merge_rolling(captions)
    findings = [*captions.findings, *merged]
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


def render(result: ConvertResult, fmt: str) -> str:
    """The result as SRT, WebVTT or JSON text."""
    if fmt in DELIVERY:
        return render_with_findings(result, fmt)[0]
    if result.captions is not None and fmt in ("srt", "vtt"):
        from .captions import dumps

        return dumps(result.captions, fmt, speaker_style=result.options.speaker_style)[0]
    from .formats import write_srt, write_vtt

    if fmt == "srt":
        return write_srt(result.cues, speaker_style=result.options.speaker_style)
    if fmt == "vtt":
        return write_vtt(result.cues, word_timestamps=result.options.word_timestamps)
    if fmt == "json":
        import json

        return json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown output format {fmt!r}; choose from {', '.join(FORMATS)}")


def render_with_findings(result: ConvertResult, fmt: str) -> tuple[str, tuple[Finding, ...]]:
    """:func:`render`, and the result's findings as they hold for that format: what a caption document
    loses in it (``C015``); the reading speed counted with the speaker labels only where the format
    shows them (SRT labels; WebVTT voices are not displayed)."""
    if fmt in DELIVERY:
        from .captions.delivery import dumps_delivery

        style = result.options.speaker_style
        text, lost = dumps_delivery(as_captions(result), fmt, fps=result.options.fps, speaker_style=style)
        return text, (*result.findings, *lost)
    if result.captions is not None and fmt in ("srt", "vtt"):
        from .captions import dumps

        text, lost = dumps(result.captions, fmt, speaker_style=result.options.speaker_style)
        return text, (*result.findings, *lost)
    text = render(result, fmt)
    labels = fmt == "srt" and result.options.speaker_style != "none"
    if labels or not result.cues or not any(c.speakers for c in result.cues):
        return text, result.findings
    from .segment import check_cues

    speed = [
        f
        for f in check_cues(result.cues, result.options.profile, path=result.path, labels=False)
        if f.code == "C003"
    ]
    kept = [f for f in result.findings if f.code != "C003"]  # the segmenter's, counted with the labels
    return text, tuple(sorted((*kept, *speed), key=lambda f: (f.line or 0, f.cue or 0)))


def result_to_json(result: ConvertResult) -> dict[str, Any]:
    o = result.options
    return {
        "version": __version__,
        "source": {
            "path": result.document.path,
            "kind": result.document.kind,
            "layout": result.document.layout,
            "layout_confidence": result.document.layout_confidence,
            "encoding": result.document.encoding,
        },
        "profile": {
            "name": o.profile.name,
            "max_chars_per_line": o.profile.max_chars_per_line,
            "max_lines": o.profile.max_lines,
            "max_cps": o.profile.max_cps,
            "min_duration_ms": o.profile.min_duration_ms,
            "max_duration_ms": o.profile.max_duration_ms,
            "min_gap_ms": o.profile.min_gap_ms,
        },
        "meta": result.meta,
        "cues": _caption_cues_json(result.captions)
        if result.captions is not None
        else [
            {
                "index": i,
                "start_ms": c.start_ms,
                "end_ms": c.end_ms,
                "speaker": c.speaker,
                "speakers": list(c.speakers),
                "text": c.text,
                "lines": list(c.lines),
                "turn": c.turn,
                "line": c.line,
                **(
                    {"words": [{"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in c.words]}
                    if c.words
                    else {}
                ),
            }
            for i, c in enumerate(result.cues, start=1)
        ],
        "turns": [
            {
                "index": i,
                "speaker": t.speaker,
                "start_ms": t.start_ms,
                "end_ms": t.end_ms,
                "source_start_ms": t.source_start_ms,
                "line": t.line,
                "text": t.text,
            }
            for i, t in enumerate(result.turns)
        ],
        "findings": [f.to_json() for f in result.findings],
    }


def _caption_cues_json(captions: Captions) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "start_ms": c.start_ms,
            "end_ms": c.end_ms,
            "speaker": c.speaker,
            "text": c.plain.replace("\n", " "),
            "lines": list(c.lines),
            "markup": c.text,
            "identifier": c.identifier,
            "settings": dict(c.settings),
            "line": c.line,
        }
        for i, c in enumerate(captions.cues, start=1)
    ]


def output_format_for(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".xml", ".dfxp"):
        return "ttml"
    if suffix.lstrip(".") not in FORMATS:
        raise ValueError(
            f"cannot tell the output format from {path!r}; use .srt, .vtt, .json, .ttml, .scc, .ass or .ssa, "
            "or pass --to"
        )
    return suffix.lstrip(".")


def as_captions(result: ConvertResult) -> Captions:
    """The result as a caption document: a caption file's own, or the cues made from a transcript
    (speakers as WebVTT voices, word times as timestamp tags when asked for)."""
    from dataclasses import replace

    from .captions import Caption, Captions
    from .formats.vtt import vtt_lines

    if result.captions is not None:
        return replace(result.captions, findings=result.findings)
    timed = result.options.word_timestamps
    cues = tuple(
        Caption(c.start_ms, c.end_ms, "\n".join(vtt_lines(c, word_timestamps=timed)), line=c.line)
        for c in result.cues
    )
    encoding = result.document.encoding
    return Captions(cues, format="vtt", path=result.path, encoding=encoding, findings=result.findings)
