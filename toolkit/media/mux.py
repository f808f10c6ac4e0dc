"""Put caption files into a video: soft subtitle tracks, or burnt into the picture.

Soft tracks: ``mov_text`` in MP4/MOV/M4V, SubRip or WebVTT (as given) in MKV, each with a language and
a title; the video and audio streams are copied, not re-encoded. ``burn=True`` renders the first caption
file into the picture with ffmpeg's ``subtitles`` filter (libass) and re-encodes the video only; further
caption files are added as soft tracks. The
filter's argument has its own escaping for ``:``, ``'``, ``\\`` and ``,``; rather than escape a user's
path, the captions are copied into a temporary folder as ``subs.srt`` and ffmpeg runs there.

The output is written to a temporary file beside it and renamed into place, so a failed run leaves no
partial file, and an input is never overwritten.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import MediaError
from ..io import atomic_path, refuse_inputs
from .ffmpeg import check_input, ffmpeg_input, run_ffmpeg
from .probe import StreamInfo, probe

__all__ = ["mux"]

_MP4_LIKE = {".mp4", ".m4v", ".mov"}
_MKV_LIKE = {".mkv", ".mka", ".webm"}
_LANG_NAMES = {
    "eng": "English",
    "fra": "French",
    "fre": "French",
    "deu": "German",
    "ger": "German",
    "spa": "Spanish",
    "rus": "Russian",
    "ita": "Italian",
    "por": "Portuguese",
    "nld": "Dutch",
    "jpn": "Japanese",
    "zho": "Chinese",
    "chi": "Chinese",
    "ara": "Arabic",
    "ukr": "Ukrainian",
}


# ISO 639-1 codes users type, to the ISO 639-2 (bibliographic forms accepted as given) that containers store
_ISO639_1 = {
    "en": "eng", "fr": "fra", "de": "deu", "es": "spa", "ru": "rus", "it": "ita", "pt": "por", "nl": "nld",
    "ja": "jpn", "zh": "zho", "ar": "ara", "uk": "ukr", "pl": "pol", "sv": "swe", "no": "nor", "da": "dan",
    "fi": "fin", "el": "ell", "tr": "tur", "he": "heb", "hi": "hin", "ko": "kor", "cs": "ces", "hu": "hun",
    "ro": "ron", "fa": "fas", "ca": "cat", "vi": "vie", "id": "ind", "th": "tha",
}  # fmt: skip
MIN_BURN_PX = 14  # the smallest readable caption text, in pixels of the picture
_WEBM_CODECS = {"video": {"vp8", "vp9", "av1"}, "audio": {"opus", "vorbis"}}


def language_code(value: str | None) -> str:
    """``value`` as the ISO 639-2 code a container stores: ``en`` -> ``eng``, a three-letter code as
    given, nothing -> ``und`` (undetermined: players then still list the track). Anything else (a
    language's name, a typo) raises :class:`MediaError` before ffmpeg runs."""
    if not value:
        return "und"
    code = value.strip().lower()
    if code in _ISO639_1:
        return _ISO639_1[code]
    if len(code) == 3 and code.isascii() and code.isalpha():
        return code
    raise MediaError(
        f"--language {value!r} is not an ISO 639-2 code (eng, fra, deu, ...) or ISO 639-1 (en, fr)"
    )


def _per_track(values: Sequence[str] | None, n: int, what: str) -> list[str | None]:
    if not values:
        return [None] * n
    if len(values) == 1:
        return [values[0]] * n
    if len(values) != n:
        raise MediaError(f"give one {what} for all caption files or one per file ({n}), not {len(values)}")
    return list(values)


def mux(
    video: str,
    captions: Sequence[str],
    output: str,
    *,
    languages: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    burn: bool = False,
) -> None:
    """Write ``output`` (.mp4/.mkv...) = ``video`` plus ``captions`` as soft tracks (or burnt in)."""
    check_input(video)
    if not captions:
        raise MediaError("no caption files given")
    for c in captions:
        if not Path(c).is_file():
            raise MediaError("no such caption file", path=c)
    out = Path(output)
    ext = out.suffix.lower()
    if ext not in _MP4_LIKE | _MKV_LIKE:
        raise MediaError(f"cannot tell the container from {output!r}; use .mp4 or .mkv", path=output)
    refuse_inputs(out, [video, *captions])
    info = probe(video)
    if not info.video and burn:
        raise MediaError("--burn needs a video stream", path=video)
    if ext == ".webm":
        _check_webm(info.video + info.audio, captions, burn, output)
    langs = [language_code(x) for x in _per_track(languages, len(captions), "--language")]
    names = _per_track(titles, len(captions), "--title")
    with atomic_path(out, protect=[video, *captions], suffix=ext) as tmp:
        if burn:  # the first file goes into the picture; any others stay soft tracks
            with tempfile.TemporaryDirectory(prefix="captionkit-burn-") as work:
                suffix = ".vtt" if Path(captions[0]).suffix.lower() == ".vtt" else ".srt"
                shutil.copyfile(captions[0], Path(work) / f"subs{suffix}")
                height = info.video[0].height or 0
                style = f"subs{suffix}:force_style='FontSize={burn_font_size(height)}'"
                args = _mux_args(video, captions[1:], tmp, ext, langs[1:], names[1:], burn=style)
                run_ffmpeg(args, path=video, cwd=work)  # the filter reads subs.srt from here
        else:
            run_ffmpeg(_mux_args(video, captions, tmp, ext, langs, names), path=video)


def burn_font_size(height: int) -> int:
    """libass's font size for burnt-in captions on a picture ``height`` pixels high. libass scales sizes
    by height / 288: its default 16 is 5 px on a 90-pixel picture; text is kept at least
    ``MIN_BURN_PX`` pixels high, and the default where that already holds (16 at 360p is 20 px, at 4K
    120 px: in proportion)."""
    if height <= 0:
        return 16
    return max(16, math.ceil(MIN_BURN_PX * 288 / height))


def _check_webm(streams: Sequence[StreamInfo], captions: Sequence[str], burn: bool, output: str) -> None:
    """WebM holds WebVTT text and VP8/VP9/AV1 video with Opus/Vorbis audio only: say so before ffmpeg
    fails with a message that blames the video."""
    soft = captions[1:] if burn else captions
    if any(Path(c).suffix.lower() != ".vtt" for c in soft):
        raise MediaError("WebM takes WebVTT subtitles only: give .vtt files, or write .mkv", path=output)
    for st in streams:
        if st.kind == "video" and burn:
            continue  # re-encoded with the captions burnt in
        if st.codec not in _WEBM_CODECS.get(st.kind, {st.codec}):
            raise MediaError(
                f"WebM holds VP8/VP9/AV1 video and Opus/Vorbis audio; this file's {st.kind} is {st.codec}, "
                "which would need re-encoding: write .mkv or .mp4",
                path=output,
            )


def _mux_args(
    video: str,
    captions: Sequence[str],
    tmp: Path,
    ext: str,
    langs: Sequence[str | None],
    names: Sequence[str | None],
    *,
    burn: str | None = None,
) -> list[str]:
    """ffmpeg arguments: ``video`` (its first video stream re-encoded with ``burn`` rendered into it, or
    every video stream copied), its audio copied, and ``captions`` as soft subtitle tracks."""
    args = ["-y", "-i", ffmpeg_input(video)]
    for c in captions:
        args += ["-i", ffmpeg_input(c)]
    args += ["-map", "0:v:0" if burn else "0:v?", "-map", "0:a?"]
    for i in range(len(captions)):
        args += ["-map", f"{i + 1}:0"]
    if burn:
        video_codec = ["-vf", f"subtitles={burn}", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23"]
        args += [*video_codec, "-pix_fmt", "yuv420p"]
    else:
        args += ["-c:v", "copy"]
    args += ["-c:a", "copy"]
    for i, c in enumerate(captions):
        # MP4 needs mov_text; MKV and WebM take the file's own text as it is (a re-encode of WebVTT went
        # through ASS and lost the <v> voice spans)
        codec = "mov_text" if ext in _MP4_LIKE else "copy"
        args += [f"-c:s:{i}", codec]
        lang = langs[i] or "und"
        args += [f"-metadata:s:s:{i}", f"language={lang}"]
        title = names[i] or (_LANG_NAMES.get(lang, Path(c).stem) if lang != "und" else Path(c).stem)
        args += [f"-metadata:s:s:{i}", f"title={title}"]
        if ext in _MP4_LIKE:  # MP4 players show the track's handler name
            args += [f"-metadata:s:s:{i}", f"handler_name={title}"]
        args += [f"-disposition:s:{i}", "default" if i == 0 else "0"]
    args += [ffmpeg_input(tmp)]
    return args
