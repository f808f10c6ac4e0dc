"""Probe and decode a media file's audio in one pass, through pipes, without numpy.

The first ffmpeg process starts at once, decoding the file from the start, and its own input report
(the ``Input #0 ... Stream #0:1: Audio: ...`` lines ``ffmpeg -i`` prints) is the probe: there is no
separate probe process on the way. As soon as that report is in, a reader thread checks the audio
stream choice and, for long media on a machine with several cores, starts more ffmpeg processes on
later spans (AAC decoding is single-threaded). The first process is then read up to the end of its span
and stopped.

This module imports no numpy, so the command line starts a :class:`Decode` before it loads the rest of
the media code: ffmpeg decodes while Python imports.

Spans are seeked with ``-ss``/``-t`` as input options (sample-accurate for audio) and start on the
``CHUNK_S`` grid, so the blocks :meth:`Decode.blocks` yields are the same as from one process.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator

import ffmpeg  # ffmpeg-python: builds the command line

from ..errors import MediaError
from .ffmpeg import check_input, ffmpeg_exe, ffmpeg_input, ffmpeg_message
from .probe import MediaInfo, StreamInfo, mp4_duration_ms, parse_probe, select_audio_stream

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["CHUNK_S", "DEFAULT_RATE", "PARALLEL_MIN_S", "Decode", "decode_command", "plan_spans"]

DEFAULT_RATE = 16000
PARALLEL_MIN_S = 120  # shorter media are decoded by one ffmpeg: starting more costs more than it saves
CHUNK_S = 30  # block length; span boundaries sit on this grid
_PIPE_BYTES = 1 << 20

Span = tuple[int, int | None]  # (first sample, number of samples or None for "to the end")

_END_OF_REPORT = ("Stream mapping", "Output #")
_STATS = re.compile(r"^(size=|video:\d|\[out#)")
_SPEC_A = re.compile(r"^(?:0:)?a:(\d+)$")
_SPEC_ABS = re.compile(r"^(?:0:)?(\d+)$")

# ffmpeg's words for a damaged input (the lines are passed on as they are, see Decode.damage)
_DAMAGE = re.compile(
    r"partial file|corrupt|Invalid data found|error while decoding|truncat|moov atom not found|"
    r"Packet mismatch|missing picture|Invalid NAL|invalid frame",
    re.IGNORECASE,
)


# the mono signal of a stereo pair whose channels cancel when added (one wired with its polarity reversed)
DIFFERENCE = "pan=mono|c0=0.5*c0-0.5*c1"


def decode_command(
    path: str | os.PathLike[str],
    stream_map: str,
    sample_rate: int,
    exe: str,
    *,
    start_s: float | None = None,
    length_s: float | None = None,
    report: bool = False,
    mix: str | None = None,
) -> list[str]:
    """The ffmpeg command that writes stream ``stream_map`` (``0:N`` or ``0:a:N``) as mono s16le at
    ``sample_rate`` to stdout.

    ``start_s`` and ``length_s`` become the input options ``-ss`` and ``-t`` (an exact seek for audio).
    With ``report`` ffmpeg logs at info level, which starts with its input report (the probe). ``mix``:
    a filter that makes the mono signal (ffmpeg's own downmix when ``None``), e.g. :data:`DIFFERENCE`.
    """
    seek: dict[str, str] = {}
    if start_s:
        seek["ss"] = f"{start_s:.6f}"
    if length_s is not None:
        seek["t"] = f"{length_s:.6f}"
    level = ("-loglevel", "info", "-nostats") if report else ("-loglevel", "error")
    node = (
        ffmpeg.input(ffmpeg_input(path), **seek)
        .output(
            "pipe:",
            map=stream_map,
            format="s16le",
            acodec="pcm_s16le",
            ac=1,
            ar=sample_rate,
            af=("" if mix is None else f"{mix},") + "aresample=async=1:first_pts=0",
        )
        .global_args("-hide_banner", "-nostdin", *level)
    )
    cmd: list[str] = node.compile(cmd=exe)
    # the first video stream copied to nowhere: with the audio mapped alone, ffmpeg puts a transport or
    # program stream's clock at the audio's own start, so audio that starts after the picture would lose
    # its delay (in the first span only: later spans seek on the file's clock)
    return [*cmd, "-map", "0:v:0?", "-c", "copy", "-f", "null", "-"]


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


def _first_map(spec: str | None) -> str:
    """The ``-map`` for the first process, before the report is in: the stream the user named, else the
    first audio stream (checked against the default-flagged one once the report is read)."""
    text = (spec or "").strip()
    m = _SPEC_A.match(text)
    if m:
        return f"0:a:{m.group(1)}"
    m = _SPEC_ABS.match(text)
    if m:
        return f"0:{m.group(1)}"
    return "0:a:0"


def _mapped_index(info: MediaInfo, stream_map: str) -> int | None:
    """The absolute index of the stream ``stream_map`` picks in ``info``, if any."""
    kind, _, n = stream_map.removeprefix("0:").rpartition(":")
    if kind == "a":
        audio = info.audio
        return audio[int(n)].index if int(n) < len(audio) else None
    return int(n)


class _Process:
    """One ffmpeg process decoding one span; a thread reads its stdout in blocks, another its stderr."""

    def __init__(self, owner: Decode, cmd: list[str], span: Span, *, report: bool) -> None:
        self.owner = owner
        self.span = span
        self.blocks: list[bytes] = []
        self.stderr_lines: list[str] = []
        self.done = False  # stdout read to the end (or the span's end)
        self.stopped_early = False  # killed because its span was full: not a failure
        self.limit: int | None = None if span[1] is None else span[1] * 2  # bytes to keep
        try:
            self.proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            raise MediaError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror}", path=owner.path) from None
        assert self.proc.stdout is not None
        _widen_pipe(self.proc.stdout.fileno())
        self._report = report
        self._err_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._out_thread = threading.Thread(target=self._read_stdout, daemon=True)
        self._err_thread.start()
        self._out_thread.start()

    def _read_stdout(self) -> None:
        out = self.proc.stdout
        assert out is not None
        size = self.owner.chunk_samples * 2
        kept = 0
        try:
            while True:
                limit = self.limit
                if limit is not None and kept >= limit:
                    break
                data = out.read(size)
                if not data:
                    break
                with self.owner.cond:
                    limit = self.limit  # it may have been set while this block was read
                    if limit is not None and kept + len(data) > limit:
                        data = data[: max(0, limit - kept)]
                    if data:
                        self.blocks.append(data)
                        kept += len(data)
                    self.owner.cond.notify_all()
        except (OSError, ValueError):  # a broken pipe: ffmpeg's exit status tells
            pass
        finally:
            with self.owner.cond:
                self.done = True
                self.owner.cond.notify_all()
            if self.limit is not None and kept >= self.limit and self.proc.poll() is None:
                self.stopped_early = True
                self.proc.kill()  # the first process runs to the end of the file: its span is full

    def _read_stderr(self) -> None:
        err = self.proc.stderr
        assert err is not None
        in_report = self._report
        report: list[str] = []
        try:
            for raw in err:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if in_report:
                    report.append(line)
                    if line.startswith(_END_OF_REPORT):
                        in_report = False
                        self.owner.on_report("\n".join(report))
                    continue
                if not _STATS.match(line):
                    self.stderr_lines.append(line)
        except (OSError, ValueError):
            pass
        if in_report:  # ffmpeg stopped before its report was complete (an error, or no audio stream)
            self.stderr_lines[:0] = report
            self.owner.on_report("\n".join(report))

    def join(self) -> None:
        """Wait for the process and both reader threads; close the pipes."""
        self._out_thread.join()
        self.proc.wait()
        self._err_thread.join()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    def kill(self) -> None:
        """Stop ffmpeg; the reader threads then see the end of the pipes."""
        if self.proc.poll() is None:
            self.proc.kill()

    @property
    def ok(self) -> bool:
        return self.proc.returncode == 0 or self.stopped_early


class Decode:
    """Decode the audio of ``path`` to mono s16le at ``sample_rate``; started on construction.

    ``stream`` picks the audio stream (``a:N``, or an absolute index ``N``); by default the stream flagged
    default, else the first. ``jobs`` ffmpeg processes (default: the number of CPUs, at most 4) share
    media of ``parallel_min_s`` or more. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        path: str,
        *,
        stream: str | None = None,
        sample_rate: int = DEFAULT_RATE,
        jobs: int | None = None,
        parallel_min_s: float = PARALLEL_MIN_S,
        chunk_samples: int | None = None,
        mix: str | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.mix = mix
        check_input(path)
        self.path = path
        self.spec = stream
        self.sample_rate = sample_rate
        self.jobs = min(4, os.cpu_count() or 1) if jobs is None else jobs
        self.parallel_min_s = parallel_min_s
        self.chunk_samples = chunk_samples or CHUNK_S * sample_rate
        self.cond = threading.Condition()
        self.exe = ffmpeg_exe()
        self._info: MediaInfo | None = None
        self._stream: StreamInfo | None = None
        self._failure: BaseException | None = None
        self._reported = False
        self._closed = False
        self._lock = threading.Lock()  # spawning processes vs close()
        self._discarded: list[_Process] = []
        self._map = _first_map(stream)
        self.processes: list[_Process] = []
        # MP4/MOV give their duration to a few reads in Python: every process starts now. Otherwise the
        # later spans start when ffmpeg's report (with the duration) is in.
        self._spans = plan_spans(mp4_duration_ms(path), sample_rate, self.jobs, min_s=parallel_min_s)
        with self._lock:  # a fast ffmpeg's report must not be planned before every process is listed
            for i, span in enumerate(self._spans):
                self.processes.append(self._spawn(span, self._map, report=i == 0))

    # -- called from the first process's stderr thread
    def on_report(self, text: str) -> None:
        try:
            self._plan(text)
        except BaseException as exc:  # handed to the caller of info()/blocks()
            self._failure = exc
            with self._lock:
                for proc in self.processes:
                    proc.kill()
        finally:
            with self.cond:
                self._reported = True
                self.cond.notify_all()

    def _plan(self, text: str) -> None:
        info = parse_probe(text, self.path)
        chosen = select_audio_stream(info, self.spec)
        self._info, self._stream = info, chosen
        with self._lock:
            if self._closed:
                return
            if _mapped_index(info, self._map) != chosen.index:
                # the default-flagged audio stream is not the first one: start again on the right stream
                for proc in self.processes:
                    proc.kill()  # joined by close(): one of them is this very thread's process
                self._discarded.extend(self.processes)
                self._map = f"0:{chosen.index}"
                self.processes = []
                self._spans = [(0, None)]
            if len(self._spans) > 1:
                return  # planned from the MP4 header and running
            spans = plan_spans(info.duration_ms, self.sample_rate, self.jobs, min_s=self.parallel_min_s)
            if self.processes:
                with self.cond:
                    self.processes[0].limit = None if spans[0][1] is None else spans[0][1] * 2
            else:
                self.processes.append(self._spawn(spans[0], self._map))
            for span in spans[1:]:
                self.processes.append(self._spawn(span, self._map))
            self._spans = spans

    def _spawn(self, span: Span, stream_map: str, *, report: bool = False) -> _Process:
        start, length = span
        cmd = decode_command(
            self.path,
            stream_map,
            self.sample_rate,
            self.exe,
            start_s=start / self.sample_rate,
            length_s=None if length is None else length / self.sample_rate,
            report=report,
            mix=self.mix,
        )
        return _Process(self, cmd, span, report=report)

    # -- the caller's side
    def info(self) -> tuple[MediaInfo, StreamInfo]:
        """The probe of the file and the audio stream being decoded (waits for ffmpeg's report)."""
        with self.cond:
            self.cond.wait_for(lambda: self._reported)
        if self._failure is not None:
            raise self._failure
        assert self._info is not None and self._stream is not None
        return self._info, self._stream

    def blocks(self) -> Iterator[bytes]:
        """The decoded audio in order, in blocks of ``chunk_samples`` (the last may be shorter).

        Raises :class:`MediaError` with ffmpeg's own message when a process fails.
        """
        _, stream = self.info()
        index = 0
        while index < len(self.processes):
            proc = self.processes[index]
            taken = 0
            while True:
                with self.cond:
                    while len(proc.blocks) <= taken and not proc.done:
                        self.cond.wait()
                    ready = proc.blocks[taken:]
                    finished = proc.done
                    for k in range(taken, taken + len(ready)):
                        proc.blocks[k] = b""  # handed over: the caller keeps what it needs
                yield from ready
                taken += len(ready)
                if finished and not ready:
                    break
            proc.join()
            if not proc.ok:
                message = ffmpeg_message("\n".join(proc.stderr_lines))
                raise MediaError(
                    f"ffmpeg could not decode audio stream {stream.specifier}: {message}", path=self.path
                )
            index += 1

    def damage(self) -> list[str]:
        """What ffmpeg said about damage in the media while decoding it (a truncated or corrupt file),
        in its own words, each line once: the caller reports it and trusts the timing less."""
        seen: dict[str, None] = {}
        for proc in self.processes:
            for line in proc.stderr_lines:
                if _DAMAGE.search(line):
                    seen.setdefault(re.sub(r"^\[[^\]]*@ 0x[0-9a-f]+\] ", "", line.strip()), None)
        return list(seen)

    def close(self) -> None:
        """Stop every ffmpeg still running (safe to call twice)."""
        with self._lock:
            self._closed = True
            procs = [*self.processes, *self._discarded]
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.join()

    def __enter__(self) -> Decode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
