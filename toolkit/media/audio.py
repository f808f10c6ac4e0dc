"""Decode a media file's audio once, to mono 16-bit PCM, streamed through a pipe (no temp files)."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

import ffmpeg  # ffmpeg-python: builds the command line
import numpy as np

from ..errors import MediaError
from .ffmpeg import check_input, ffmpeg_exe, ffmpeg_input, ffmpeg_message
from .probe import MediaInfo, StreamInfo, probe, select_audio_stream

__all__ = ["DEFAULT_RATE", "DecodedMedia", "decode_audio", "decode_command", "load_media"]

DEFAULT_RATE = 16000


def decode_command(path: str | os.PathLike[str], stream_index: int, sample_rate: int, exe: str) -> list[str]:
    """The ffmpeg command that writes stream ``0:stream_index`` as mono s16le at ``sample_rate`` to stdout."""
    node = (
        ffmpeg.input(ffmpeg_input(path))
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


def _decode(
    path: str,
    stream: StreamInfo,
    sample_rate: int,
    on_chunk: Callable[[np.ndarray], None] | None = None,
    chunk_samples: int = 30 * DEFAULT_RATE,
) -> np.ndarray:
    """Decode through a pipe; ``on_chunk`` sees each block of ``chunk_samples`` as it arrives, so speech
    detection runs on one core while ffmpeg decodes on the other."""
    cmd = decode_command(path, stream.index, sample_rate, ffmpeg_exe())
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise MediaError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror}", path=path) from None
    assert proc.stdout is not None and proc.stderr is not None
    err_parts: list[bytes] = []
    drain = threading.Thread(target=lambda: err_parts.append(proc.stderr.read() if proc.stderr else b""))
    drain.start()
    blocks: list[bytes] = []
    try:
        while True:
            data = proc.stdout.read(chunk_samples * 2)
            if not data:
                break
            blocks.append(data)
            if on_chunk is not None and len(data) >= 2:
                on_chunk(np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2"))
    finally:
        proc.stdout.close()
        proc.wait()
        drain.join()
    if proc.returncode != 0:
        message = ffmpeg_message(b"".join(err_parts))
        raise MediaError(f"ffmpeg could not decode audio stream {stream.specifier}: {message}", path=path)
    out = b"".join(blocks)
    if len(out) < 2:
        raise MediaError(f"audio stream {stream.specifier} decoded to no samples", path=path)
    return np.frombuffer(out[: len(out) // 2 * 2], dtype="<i2").astype(np.int16)


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
) -> DecodedMedia:
    """Probe ``path``, choose its audio stream and decode it (once); ``on_chunk`` sees 30 s blocks."""
    check_input(path)
    info = probe(path)
    chosen = select_audio_stream(info, stream)
    audio = _decode(path, chosen, sample_rate, on_chunk, chunk_samples=30 * sample_rate)
    return DecodedMedia(info, chosen, audio, sample_rate)
