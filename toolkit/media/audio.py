"""Decode a media file's audio once, to mono 16-bit PCM, streamed through a pipe (no temp files).

Long media on a machine with several cores is decoded in segments by parallel ffmpeg processes (AAC
decoding is single-threaded and was half of ``captionkit sync``'s time on 20 minutes). Each segment
is seeked with ``-ss``/``-t`` as input options (sample-accurate for audio) and starts on the
``chunk_samples`` grid, so the blocks handed to ``on_chunk`` are the same as in one decode.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

import ffmpeg  # ffmpeg-python: builds the command line
import numpy as np

from ..errors import MediaError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
from .ffmpeg import check_input, ffmpeg_exe, ffmpeg_input, ffmpeg_message
from .probe import MediaInfo, StreamInfo, probe, select_audio_stream

__all__ = ["DEFAULT_RATE", "PARALLEL_MIN_S", "DecodedMedia", "decode_audio", "decode_command", "load_media"]

DEFAULT_RATE = 16000
PARALLEL_MIN_S = 120  # shorter media are decoded by one ffmpeg: starting more costs more than it saves
CHUNK_S = 30  # on_chunk's block length; segment boundaries sit on this grid
_PIPE_BYTES = 1 << 20

Span = tuple[int, int | None]  # (first sample, number of samples or None for "to the end")


def decode_command(
    path: str | os.PathLike[str],
    stream_index: int,
    sample_rate: int,
    exe: str,
    *,
    start_s: float | None = None,
    length_s: float | None = None,
) -> list[str]:
    """The ffmpeg command that writes stream ``0:stream_index`` as mono s16le at ``sample_rate`` to stdout.

    ``start_s`` and ``length_s`` become the input options ``-ss`` and ``-t`` (an exact seek for audio).
    """
    seek: dict[str, str] = {}
    if start_s:
        seek["ss"] = f"{start_s:.6f}"
    if length_s is not None:
        seek["t"] = f"{length_s:.6f}"
    node = (
        ffmpeg.input(ffmpeg_input(path), **seek)
        .output(
            "pipe:",
            map=f"0:{stream_index}",
            format="s16le",
            acodec="pcm_s16le",
            ac=1,
            ar=sample_rate,
            af="aresample=async=1",
        )
        .global_args("-hide_banner", "-nostdin", "-loglevel", "error")
    )
    cmd: list[str] = node.compile(cmd=exe)
    return cmd


def plan_spans(
    duration_ms: int | None, sample_rate: int, jobs: int, *, min_s: float = PARALLEL_MIN_S
) -> list[Span]:
    """How to split a decode of ``duration_ms`` over ``jobs`` ffmpeg processes.

    Every span but the last starts and ends on the ``CHUNK_S`` grid; one span ``(0, None)`` when the
    media is shorter than ``min_s``, its duration is unknown or ``jobs`` is 1.
    """
    chunk = CHUNK_S * sample_rate
    if not duration_ms or jobs < 2 or duration_ms < min_s * 1000:
        return [(0, None)]
    n_chunks = -(-duration_ms * sample_rate // (1000 * chunk))  # ceil
    per = -(-n_chunks // jobs)
    starts = [k * per * chunk for k in range(jobs) if k * per < n_chunks - 1]
    if len(starts) < 2:
        return [(0, None)]
    return [(s, e - s) for s, e in itertools.pairwise(starts)] + [(starts[-1], None)]


def _widen_pipe(fd: int) -> None:
    """Give the pipe 1 MiB (Linux; 64 KiB by default): while speech detection holds the GIL, a reader
    thread gets it back only every few ms, and ffmpeg stalled on a full 64 KiB pipe in between."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is None:
        return
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
        fcntl.fcntl(fd, setsize, _PIPE_BYTES)


class _Segment:
    """One ffmpeg process decoding one span, read by its own thread."""

    def __init__(self, path: str, stream: StreamInfo, sample_rate: int, span: Span) -> None:
        self.path = path
        self.stream = stream
        self.span = span
        start, length = span
        cmd = decode_command(
            path,
            stream.index,
            sample_rate,
            ffmpeg_exe(),
            start_s=start / sample_rate,
            length_s=None if length is None else length / sample_rate,
        )
        try:
            self.proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise MediaError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror}", path=path) from None
        assert self.proc.stdout is not None
        _widen_pipe(self.proc.stdout.fileno())
        self.blocks: list[bytes] = []
        self.err = b""
        self.failure: BaseException | None = None
        self.ok = False  # decoded, and so were all segments before it: its blocks may go to on_chunk
        self.done = threading.Event()

    def run(
        self, chunk_samples: int, on_chunk: Callable[[np.ndarray], None] | None, before: _Segment | None
    ) -> None:
        """Read the pipe; hand blocks to ``on_chunk`` in order, after the segment ``before`` is through."""
        proc = self.proc
        assert proc.stdout is not None and proc.stderr is not None
        stderr = proc.stderr
        err_parts: list[bytes] = []
        drain = threading.Thread(target=lambda: err_parts.append(stderr.read()))
        drain.start()
        left = None if self.span[1] is None else self.span[1] * 2
        fed = 0

        def feed() -> None:
            nonlocal fed
            if on_chunk is None or (before is not None and not (before.done.is_set() and before.ok)):
                return
            while fed < len(self.blocks):
                data = self.blocks[fed]
                fed += 1
                if len(data) >= 2:
                    on_chunk(np.frombuffer(data, dtype="<i2", count=len(data) // 2))

        try:
            while left is None or left > 0:
                data = proc.stdout.read(chunk_samples * 2 if left is None else min(chunk_samples * 2, left))
                if not data:
                    break
                if left is not None:
                    left -= len(data)
                self.blocks.append(data)
                feed()
            if left is not None and left <= 0:  # the span is full: ffmpeg's few extra samples are dropped
                while proc.stdout.read(1 << 16):
                    pass
            if before is not None:
                before.done.wait()
            feed()
        except BaseException as exc:
            self.failure = exc
        finally:
            proc.stdout.close()
            proc.wait()
            drain.join()
            self.err = b"".join(err_parts)
            self.ok = self.failure is None and proc.returncode == 0 and (before is None or before.ok)
            self.done.set()


def _decode(
    path: str,
    stream: StreamInfo,
    sample_rate: int,
    on_chunk: Callable[[np.ndarray], None] | None = None,
    chunk_samples: int = CHUNK_S * DEFAULT_RATE,
    spans: list[Span] | None = None,
) -> np.ndarray:
    """Decode through pipes; ``on_chunk`` sees each block of ``chunk_samples`` as it arrives, in order,
    so speech detection runs while ffmpeg decodes. ``spans`` (see :func:`plan_spans`) split the work
    over parallel ffmpeg processes."""
    spans = spans or [(0, None)]
    segments: list[_Segment] = []
    try:
        for span in spans:
            segments.append(_Segment(path, stream, sample_rate, span))
    except MediaError:
        for seg in segments:
            seg.proc.kill()
            seg.proc.wait()
        raise
    threads = [
        threading.Thread(target=seg.run, args=(chunk_samples, on_chunk, segments[i - 1] if i else None))
        for i, seg in enumerate(segments[1:], 1)
    ]
    for t in threads:
        t.start()
    segments[0].run(chunk_samples, on_chunk, None)  # the first segment in this thread
    for t in threads:
        t.join()
    for seg in segments:
        if seg.failure is not None:
            raise seg.failure
        if seg.proc.returncode != 0:
            message = ffmpeg_message(seg.err)
            raise MediaError(f"ffmpeg could not decode audio stream {stream.specifier}: {message}", path=path)
    out = bytearray().join(b for seg in segments for b in seg.blocks)  # one copy, writable
    if len(out) < 2:
        raise MediaError(f"audio stream {stream.specifier} decoded to no samples", path=path)
    return np.frombuffer(out, dtype=np.int16, count=len(out) // 2)


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
) -> DecodedMedia:
    """Probe ``path``, choose its audio stream and decode it (once); ``on_chunk`` sees 30 s blocks in order.

    Media of ``parallel_min_s`` or more are decoded by ``jobs`` ffmpeg processes (default: the number
    of CPUs, at most 4); ``jobs=1`` forces one process.
    """
    check_input(path)
    info = probe(path)
    chosen = select_audio_stream(info, stream)
    if jobs is None:
        jobs = min(4, os.cpu_count() or 1)
    spans = plan_spans(info.duration_ms, sample_rate, jobs, min_s=parallel_min_s)
    audio = _decode(path, chosen, sample_rate, on_chunk, chunk_samples=CHUNK_S * sample_rate, spans=spans)
    return DecodedMedia(info, chosen, audio, sample_rate)
