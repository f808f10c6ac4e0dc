"""What a conversion takes and gives: :class:`ConvertOptions` and :class:`ConvertResult`, and the formats.

The bottom of :mod:`toolkit.pipeline`: every stage module of the pipeline, the batch runner and the
command line speak in these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..captions import Captions
from ..captions.kinds import DELIVERY_FORMATS, EXTENSIONS
from ..model import Cue, Document, Finding, Turn
from ..profiles import DEFAULT_PROFILE, PROFILES, Profile

__all__ = [
    "DELIVERY",
    "DELIVERY_INPUTS",
    "FORMATS",
    "SPEAKER_STYLES",
    "ConvertOptions",
    "ConvertResult",
]

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
    meta: dict[str, Any] = field(default_factory=dict)  # the JSON output's "meta": what each stage found
    captions: Captions | None = None  # a caption file converted as it is (no re-segmenting)

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def cue_count(self) -> int:
        return len(self.captions) if self.captions is not None else len(self.cues)
