"""Probe a media file without ffprobe: parse the report ``ffmpeg -i FILE`` prints on stderr.

Example of what is read::

    Duration: 00:00:30.05, start: 0.000000, bitrate: 40 kb/s
      Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 160x90, 5 fps ...
      Stream #0:1[0x2](eng): Audio: aac (LC) (mp4a / 0x6134706D), 16000 Hz, mono, fltp, 24 kb/s (default)
        Metadata:
          title           : Commentary
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import MediaError
from .ffmpeg import check_input, ffmpeg_input, ffmpeg_message, run_ffmpeg

__all__ = ["MediaInfo", "StreamInfo", "mp4_duration_ms", "parse_probe", "probe", "select_audio_stream"]


@dataclass(frozen=True, slots=True)
class StreamInfo:
    index: int  # absolute stream index in the file (the N of ``0:N``)
    kind: str  # "video", "audio", "subtitle", "data", "attachment"
    type_index: int  # index among streams of the same kind (the N of ``a:N``)
    codec: str
    language: str | None = None
    title: str | None = None
    default: bool = False
    sample_rate: int | None = None
    channels: str | None = None
    fps: float | None = None
    height: int | None = None  # a video's picture height in pixels

    @property
    def specifier(self) -> str:
        return f"{self.kind[0]}:{self.type_index}"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    path: str
    format: str
    duration_ms: int | None
    start_ms: int
    streams: tuple[StreamInfo, ...]

    def of_kind(self, kind: str) -> tuple[StreamInfo, ...]:
        return tuple(s for s in self.streams if s.kind == kind)

    @property
    def audio(self) -> tuple[StreamInfo, ...]:
        return self.of_kind("audio")

    @property
    def video(self) -> tuple[StreamInfo, ...]:
        return self.of_kind("video")

    @property
    def subtitles(self) -> tuple[StreamInfo, ...]:
        return self.of_kind("subtitle")


_INPUT = re.compile(r"^Input #0, (?P<fmt>[^,]+(?:,[^,]+)*?), from ")
_DURATION = re.compile(
    r"Duration: (?:(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)|N/A)(?:, start: (?P<start>-?[\d.]+))?"
)
_STREAM = re.compile(
    r"^\s*Stream #0:(?P<index>\d+)(?:\[[^\]]*\])?(?:\((?P<lang>[^)]*)\))?: (?P<kind>\w+): (?P<rest>.*)$"
)
_META = re.compile(r"^\s+(?P<key>\w+)\s*: (?P<value>.*)$")
_RATE = re.compile(r"(\d+) Hz")
_FPS = re.compile(r"([\d.]+) fps")
_SIZE = re.compile(r", (\d{2,5})x(\d{2,5})\b")
_GENERIC = {
    "SoundHandler",
    "VideoHandler",
    "SubtitleHandler",
    "DataHandler",
    "Core Media Audio",
    "Core Media Video",
    "ISO Media file produced by Google Inc.",
    "",
}
_KINDS = {
    "Video": "video",
    "Audio": "audio",
    "Subtitle": "subtitle",
    "Data": "data",
    "Attachment": "attachment",
}


def parse_probe(stderr: str, path: str = "<media>") -> MediaInfo:
    """Build :class:`MediaInfo` from ``ffmpeg -i`` output (raises :class:`MediaError` if there is none)."""
    fmt = ""
    duration_ms: int | None = None
    start_ms = 0
    streams: list[StreamInfo] = []
    counts: dict[str, int] = {}
    current: dict[str, object] | None = None
    found_input = False

    def flush() -> None:
        if current is not None:
            streams.append(StreamInfo(**current))  # type: ignore[arg-type]

    for line in stderr.splitlines():
        m_in = _INPUT.match(line)
        if m_in:
            found_input = True
            fmt = m_in.group("fmt")
            continue
        if not found_input:
            continue
        if line.startswith("Output #") or line.startswith("Stream mapping"):
            break
        m_d = _DURATION.search(line)
        if m_d and current is None and not streams:
            if m_d.group("h") is not None:
                secs = int(m_d.group("h")) * 3600 + int(m_d.group("m")) * 60 + float(m_d.group("s"))
                duration_ms = round(secs * 1000)
            if m_d.group("start"):
                start_ms = round(float(m_d.group("start")) * 1000)
            continue
        m_s = _STREAM.match(line)
        if m_s:
            flush()
            kind = _KINDS.get(m_s.group("kind"), m_s.group("kind").lower())
            rest = m_s.group("rest")
            lang = m_s.group("lang")
            rate = _RATE.search(rest)
            fps = _FPS.search(rest)
            size = _SIZE.search(rest) if kind == "video" else None
            channels = None
            if kind == "audio":
                parts = [p.strip() for p in rest.split(",")]
                channels = parts[2] if len(parts) > 2 else None
            current = {
                "index": int(m_s.group("index")),
                "kind": kind,
                "type_index": counts.get(kind, 0),
                "codec": rest.split(",")[0].split(" ")[0],
                "language": lang if lang and lang != "und" else None,
                "title": None,
                "default": "(default)" in rest,
                "sample_rate": int(rate.group(1)) if rate and kind == "audio" else None,
                "channels": channels,
                "fps": float(fps.group(1)) if fps and kind == "video" else None,
                "height": int(size.group(2)) if size else None,
            }
            counts[kind] = counts.get(kind, 0) + 1
            continue
        m_m = _META.match(line)
        if m_m and current is not None:
            key, value = m_m.group("key"), m_m.group("value").strip()
            if key == "title" or (
                key == "handler_name" and current["title"] is None and value not in _GENERIC
            ):
                current["title"] = value  # MP4 keeps a track's name as its handler name
    flush()
    if not found_input:
        raise MediaError(f"ffmpeg cannot read this file: {ffmpeg_message(stderr)}", path=path)
    return MediaInfo(path, fmt, duration_ms, start_ms, tuple(streams))


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Duration and streams of a media file, from ``ffmpeg -i`` (no ffprobe needed)."""
    check_input(path)
    proc = run_ffmpeg(["-i", ffmpeg_input(path)], path=str(path), check=False)
    return parse_probe(proc.stderr.decode("utf-8", "replace"), str(path))


_SPEC = re.compile(r"^(?:a:(?P<a>\d+)|(?P<abs>\d+)|0:(?P<abs0>\d+)|0:a:(?P<a0>\d+))$")


def select_audio_stream(info: MediaInfo, spec: str | None = None) -> StreamInfo:
    """The audio stream to decode: ``a:N`` (Nth audio stream), ``N`` (absolute index) or the default.

    Without ``spec`` the stream flagged as default is used, else the first audio stream.
    """
    audio = info.audio
    if not audio:
        kinds = ", ".join(f"{s.kind} {s.codec}" for s in info.streams) or "none"
        raise MediaError(f"no audio stream in this file (streams: {kinds})", path=info.path)
    if spec is None:
        return next((s for s in audio if s.default), audio[0])
    m = _SPEC.match(spec.strip())
    if not m:
        raise MediaError(f"audio stream {spec!r} is not of the form a:N", path=info.path)
    listing = ", ".join(f"{s.specifier} ({s.codec}{', ' + s.language if s.language else ''})" for s in audio)
    if m.group("a") is not None or m.group("a0") is not None:
        n = int(m.group("a") if m.group("a") is not None else m.group("a0"))
        if n >= len(audio):
            raise MediaError(f"no audio stream {spec!r}; the file has {listing}", path=info.path)
        return audio[n]
    idx = int(m.group("abs") if m.group("abs") is not None else m.group("abs0"))
    for s in audio:
        if s.index == idx:
            return s
    raise MediaError(f"stream {idx} is not an audio stream; the file has {listing}", path=info.path)


_MP4_BRANDS = (b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pnot", b"udta")


def mp4_duration_ms(path: str | os.PathLike[str]) -> int | None:
    """The duration in an MP4/MOV/M4A file's ``mvhd`` box, read in Python (a few small reads), or None
    for any other file or anything unexpected.

    Only a hint: :class:`toolkit.media.decode.Decode` uses it to start its parallel ffmpeg processes
    at once instead of after ffmpeg's own report, which still decides.
    """
    try:
        with open(path, "rb") as f:
            end = os.fstat(f.fileno()).st_size
            pos = 0
            while pos + 8 <= end:  # top-level boxes: size, type [, 64-bit size]
                f.seek(pos)
                size, kind = struct.unpack(">I4s", f.read(8))
                header = 8
                if size == 1:
                    (size,) = struct.unpack(">Q", f.read(8))
                    header = 16
                elif size == 0:
                    size = end - pos
                if kind not in _MP4_BRANDS or size < header:
                    return None
                if kind == b"moov":
                    return _mvhd_duration_ms(f, pos + header, pos + size)
                pos += size
    except (OSError, struct.error):
        return None
    return None


def _mvhd_duration_ms(f: BinaryIO, start: int, stop: int) -> int | None:
    pos = start
    while pos + 8 <= stop:
        f.seek(pos)
        size, kind = struct.unpack(">I4s", f.read(8))
        if size < 8:
            return None
        if kind == b"mvhd":
            version = f.read(4)[0]
            if version == 1:
                _, _, timescale, duration = struct.unpack(">QQIQ", f.read(28))
            else:
                _, _, timescale, duration = struct.unpack(">IIII", f.read(16))
            if timescale <= 0 or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
                return None
            return int(duration * 1000 // timescale)
        pos += size
    return None
