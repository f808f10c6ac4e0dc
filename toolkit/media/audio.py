"""Decode a media file's audio once, to mono 16-bit PCM, as a numpy array (the processes and pipes
are in :mod:`toolkit.media.decode`)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..errors import MediaError
from .decode import CHUNK_S, DEFAULT_RATE, DIFFERENCE, PARALLEL_MIN_S, Decode, decode_command, plan_spans
from .probe import MediaInfo, StreamInfo

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_RATE",
    "PARALLEL_MIN_S",
    "DecodedMedia",
    "decode_audio",
    "decode_command",
    "load_media",
    "plan_spans",
]


def decode_audio(path: str, *, stream: str | None = None, sample_rate: int = DEFAULT_RATE) -> np.ndarray:
    """The audio of ``path`` as a mono int16 array at ``sample_rate``.

    ``stream`` picks the audio stream (``a:N``, or an absolute index ``N``); by default the stream flagged
    default, else the first. Raises :class:`MediaError` for a missing file, a file with no audio or an
    ffmpeg failure (with ffmpeg's own message).
    """
    return load_media(path, stream=stream, sample_rate=sample_rate).audio


@dataclass(frozen=True, slots=True)
class DecodedMedia:
    info: MediaInfo
    stream: StreamInfo
    audio: np.ndarray  # int16 mono
    sample_rate: int
    damage: tuple[str, ...] = ()  # what ffmpeg said about a damaged input (see Decode.damage)
    difference: bool = False  # a stereo pair that cancels when added: the channels' difference (see below)
    redecoded: bool = False  # a silent first decode was replaced (on_chunk saw that one, not this audio)

    @property
    def truncated(self) -> bool:
        """The container says the media is longer than the audio that decoded (a file cut short)."""
        held = self.info.duration_ms or 0
        return held > 0 and self.audio_ms < 0.95 * held - 1000

    def damage_notes(self) -> list[str]:
        """ffmpeg's damage lines, and the length that did not decode, in words."""
        notes = list(self.damage)
        if self.truncated:
            held = (self.info.duration_ms or 0) / 1000
            decoded = self.audio_ms / 1000
            notes.append(f"only {decoded:.1f} s of audio decoded of the {held:.1f} s the file says")
        return notes

    @property
    def audio_ms(self) -> int:
        return int(len(self.audio) * 1000 // self.sample_rate)

    @property
    def duration_ms(self) -> int:
        """The container's duration, else the decoded audio's."""
        return self.info.duration_ms if self.info.duration_ms else self.audio_ms


def load_media(
    path: str,
    *,
    stream: str | None = None,
    sample_rate: int = DEFAULT_RATE,
    on_chunk: Callable[[np.ndarray], None] | None = None,
    jobs: int | None = None,
    parallel_min_s: float = PARALLEL_MIN_S,
    decode: Decode | None = None,
) -> DecodedMedia:
    """Probe ``path``, choose its audio stream and decode it (once); ``on_chunk`` sees 30 s blocks in order,
    while ffmpeg goes on decoding. A silent decode is tried again (:func:`_silent`): a stereo stream whose
    mix cancels as its channels' difference (``difference`` set), a stream picked by default as another
    audio stream with sound; ``on_chunk`` saw the first decode.

    Media of ``parallel_min_s`` or more are decoded by ``jobs`` ffmpeg processes (default: the number
    of CPUs, at most 4); ``jobs=1`` forces one process. ``decode`` is a :class:`Decode` of ``path``
    started earlier (the command line starts it before loading numpy); it is closed here.
    """
    if decode is None:
        decode = Decode(
            path,
            stream=stream,
            sample_rate=sample_rate,
            jobs=jobs,
            parallel_min_s=parallel_min_s,
            chunk_samples=CHUNK_S * sample_rate,
        )
    with decode:
        info, chosen = decode.info()
        out = bytearray()  # grown in place block by block: the audio is held once, not as blocks and a copy
        for block in decode.blocks():
            out += block
            if on_chunk is not None and len(block) >= 2:
                on_chunk(np.frombuffer(block, dtype="<i2", count=len(block) // 2))
    if len(out) < 2:
        raise MediaError(f"audio stream {chosen.specifier} decoded to no samples", path=path)
    media = DecodedMedia(
        info,
        chosen,
        np.frombuffer(out, dtype=np.int16, count=len(out) // 2),
        decode.sample_rate,
        tuple(decode.damage()),
    )
    if decode.mix is None and _is_silent(media.audio):
        return _silent(media, path, decode)
    return media


SILENT_LEVEL = 64  # a decode's loud level (-54 dBFS) below which the stream is taken for silent ...
CANCELLED_GAIN = 10.0  # ... and a stereo pair's difference this much louder (20 dB): a reversed polarity


def _level(audio: np.ndarray) -> float:
    """The loud level of ``audio`` (its 99.9th percentile of |sample|, on every 8th sample)."""
    return float(np.percentile(np.abs(audio[::8].astype(np.int32)), 99.9)) if len(audio) else 0.0


def _is_silent(audio: np.ndarray) -> bool:
    """``_level(audio) < SILENT_LEVEL``, on every decode, without its sort (20 ms per 20 minutes): how
    many samples reach the level decides, the percentile itself only where that count sits on the
    99.9th percentile's interpolation step."""
    sub = np.abs(audio[::8].astype(np.int32))
    n = len(sub)
    if n == 0:
        return True
    loud = int(np.count_nonzero(sub >= SILENT_LEVEL))
    below = math.floor(0.999 * (n - 1)) + 1  # the samples up to the percentile's lower neighbour
    if loud < n - below:  # its upper neighbour too is below the level
        return True
    if loud > n - below:  # its lower neighbour already reaches it
        return False
    return _level(audio) < SILENT_LEVEL


def _silent(media: DecodedMedia, path: str, first: Decode) -> DecodedMedia:
    """A (nearly) silent decode: a stereo pair may cancel in the mix (:func:`_difference`), and when the
    stream was picked by default (the one flagged default, else the first) another audio stream with
    sound is taken, with a warning (a silent placeholder track first, the programme's sound after it);
    else the silence stands (and is reported as such downstream)."""
    layout = (media.stream.channels or "").split(" (")[0]  # "stereo", "2 channels", "downmix", ...
    if layout in ("stereo", "2 channels", "downmix"):
        diff = _difference(media, path, first)
        if diff.difference:
            return diff
    if first.spec is not None:  # the user's choice stands
        return media
    for other in media.info.audio:
        if other.index == media.stream.index:
            continue
        again = load_media(path, decode=_again(path, first, other.specifier, None))  # spec: no hopping
        if _level(again.audio) >= SILENT_LEVEL:
            log.warning(
                "%s: audio stream %s is silent; %s is used (--audio-stream picks one)",
                path,
                _named(media.stream),
                _named(other),
            )
            return replace(again, redecoded=True)
    return media


def _named(stream: StreamInfo) -> str:
    return stream.specifier + (f" ({stream.language})" if stream.language else "")


def _again(path: str, first: Decode, stream: str, mix: str | None) -> Decode:
    """Another decode of ``path`` with ``first``'s settings, of ``stream`` through ``mix``."""
    return Decode(
        path,
        stream=stream,
        sample_rate=first.sample_rate,
        jobs=first.jobs,
        parallel_min_s=first.parallel_min_s,
        chunk_samples=first.chunk_samples,
        mix=mix,
    )


def _difference(media: DecodedMedia, path: str, first: Decode) -> DecodedMedia:
    """The stream decoded once more as its channels' difference, kept (with a note) when that is
    :data:`CANCELLED_GAIN` times louder than the mix: a pair with one channel's polarity reversed (a
    miswired balanced cable, a field recorder's dual-mono) adds up to silence, its difference to the
    speech. A stream silent in both stays as it was."""
    diff = load_media(path, decode=_again(path, first, media.stream.specifier, DIFFERENCE))
    if _level(diff.audio) < max(SILENT_LEVEL, CANCELLED_GAIN * _level(media.audio)):
        return media
    log.warning(
        "%s: the two channels cancel when mixed to mono (one's polarity is reversed): their difference "
        "is used",
        path,
    )
    return replace(diff, difference=True, redecoded=True)
