"""Finding the inputs of a batch and deciding, before anything runs, where each one is written.

* A PATH is a file, a folder (walked recursively, sorted, hidden files and folders ignored, the output
  folder excluded when it lies inside) or a glob (``*``, ``?``, ``[...]``, ``**``; expanded here too, for
  quoted patterns). A PATH that matches nothing is a usage error.
* The output tree mirrors the input tree: a file found under a folder is placed relative to that folder,
  one found by a glob relative to the glob's literal leading folder, and files named directly relative to
  their common parent. Outputs are named ``<stem>.<format>``.
* Outputs never overwrite an input. When ``--out-dir`` overlaps the inputs, transcripts claim their
  output names first: a caption file that is the output of a transcript of the same run (``a.srt`` next
  to ``a.txt``) is *skipped* as an output and is replaced by the new one; a file whose output would be
  itself (``a.srt`` -> ``a.srt``) *fails* and is not touched; two inputs that would write the same
  output: the first (transcripts first, then input order) wins, the other fails.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from ..errors import ToolkitError
from ..io import walk_folder
from ..pipeline import ConvertOptions
from .job import Converter, FileResult, FileTask, Outcome, remove_stale_temp_files

__all__ = [
    "CONVERT_JSON_START",
    "NOT_TRANSCRIPT_EXTENSIONS",
    "REPORT_JSON_START",
    "BatchUsageError",
    "Input",
    "Plan",
    "discover",
    "make_plan",
    "written_by_us",
]


class BatchUsageError(ToolkitError):
    """A batch that cannot start: no inputs, an output folder that is a file, ... (exit code 2)."""


# Extensions that are never transcripts or captions: skipped without being read.
# fmt: off
NOT_TRANSCRIPT_EXTENSIONS = frozenset({
    # video and audio
    ".mp4", ".m4v", ".mkv", ".mov", ".avi", ".wmv", ".flv", ".webm", ".mpg", ".mpeg", ".ts", ".mts",
    ".m2ts", ".3gp", ".mxf", ".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".oga", ".opus", ".wma",
    ".aif", ".aiff", ".amr",
    # images
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".ico", ".svg", ".psd",
    # documents, archives, binaries, image-based subtitles
    ".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".zip", ".gz", ".tgz",
    ".bz2", ".xz", ".7z", ".rar", ".tar", ".iso", ".dmg", ".exe", ".dll", ".so", ".dylib", ".bin", ".o",
    ".a", ".pyc", ".class", ".jar", ".db", ".sqlite", ".ttf", ".otf", ".woff", ".woff2", ".sup", ".idx",
})
# fmt: on
# Inputs with these extensions may be outputs of another input (the formats we write).
_OUTPUT_EXTENSIONS = frozenset({".srt", ".vtt", ".json", ".ttml", ".scc", ".ass", ".ssa"})
_MAGIC = ("*", "?", "[")


@dataclass(frozen=True, slots=True)
class Input:
    path: str  # as shown and opened: built from the PATH argument
    rel: PurePath  # where it goes under --out-dir
    real: str  # resolved path, to spot duplicates and overlaps
    error: str | None = None  # a folder that could not be read: reported as failed, not passed over


def discover(paths: Sequence[str], out_dir: str) -> list[Input]:
    """Expand the PATH arguments into inputs, in argument order, each file once."""
    out_real = os.path.realpath(out_dir)
    found: list[Input | tuple[str, str]] = []  # a tuple = a file named directly, placed later
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            found.extend(_walk(arg, arg, out_real))
        elif p.is_file():
            found.append((arg, os.path.realpath(arg)))
        elif any(ch in arg for ch in _MAGIC):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise BatchUsageError(f"no files match {arg!r}")
            base = _literal_prefix(arg)
            base_real = os.path.realpath(base)
            out_inside_base = out_real.startswith(base_real.rstrip(os.sep) + os.sep)
            for m in matches:
                real = os.path.realpath(m)
                if out_inside_base and (real == out_real or real.startswith(out_real + os.sep)):
                    continue  # under the output folder: an output of an earlier run, not an input
                if os.path.isdir(m):
                    found.extend(_walk(m, base, out_real))
                elif os.path.isfile(m):
                    found.append(Input(m, PurePath(os.path.relpath(m, base)), os.path.realpath(m)))
        elif p.exists():
            raise BatchUsageError(f"{arg}: not a regular file or folder")
        else:
            raise BatchUsageError(f"{arg}: no such file or folder")
    direct = [item for item in found if isinstance(item, tuple)]
    common = os.path.commonpath([os.path.dirname(real) for _, real in direct]) if direct else ""
    inputs: list[Input] = []
    seen: set[str] = set()
    for item in found:
        if isinstance(item, tuple):
            arg, real = item
            item = Input(arg, PurePath(os.path.relpath(real, common)), real)
        if item.real not in seen:
            seen.add(item.real)
            inputs.append(item)
    if not inputs:
        raise BatchUsageError(f"no input files found in {', '.join(paths)}")
    return inputs


def _walk(folder: str, base: str, out_real: str) -> Iterator[Input]:
    unreadable: list[tuple[str, OSError]] = []
    for path in walk_folder(folder, skip=out_real, on_error=lambda p, e: unreadable.append((p, e))):
        yield Input(path, PurePath(os.path.relpath(path, base)), os.path.realpath(path))
    for path, exc in unreadable:
        why = f"folder cannot be read: {exc.strerror or exc}; its files were not converted"
        yield Input(path, PurePath(os.path.relpath(path, base)), os.path.realpath(path), error=why)


def _literal_prefix(pattern: str) -> str:
    parts: list[str] = []
    for part in Path(pattern).parts[:-1]:
        if any(ch in part for ch in _MAGIC):
            break
        parts.append(part)
    return str(Path(*parts)) if parts else "."


@dataclass(slots=True)
class Plan:
    """The inputs, the output folder and the outcomes decided before running (skips, collisions)."""

    inputs: list[Input]
    out_dir: str
    formats: tuple[str, ...]
    decided: dict[int, FileResult]
    claimed: dict[str, int] = field(default_factory=dict)  # resolved output path -> input index

    def outputs(self, inp: Input) -> tuple[tuple[str, str], ...]:
        sub = str(inp.rel.parent)
        parent = os.path.join(self.out_dir, sub) if sub != "." else self.out_dir
        stem = inp.rel.stem if inp.rel.suffix else inp.rel.name
        return tuple((fmt, os.path.join(parent, f"{stem}.{fmt}")) for fmt in self.formats)

    def tasks(
        self,
        options: ConvertOptions,
        converter: Converter,
        *,
        skip_existing: bool,
        emit: Callable[[FileResult], None],
    ) -> Iterator[FileTask]:
        """Tasks in input order; outcomes known without converting are passed to ``emit`` instead."""
        cleaned: set[str] = set()
        for index, inp in enumerate(self.inputs):
            decided = self.decided.pop(index, None)
            if decided is not None:
                emit(decided)
                continue
            outputs = self.outputs(inp)
            if skip_existing and _up_to_date(inp.path, [out for _, out in outputs]):
                emit(
                    FileResult(
                        index,
                        inp.path,
                        Outcome.UP_TO_DATE,
                        outputs=tuple(o for _, o in outputs),
                        reason="outputs exist and are not older than the input",
                    )
                )
                continue
            folder = os.path.dirname(outputs[0][1])
            if folder not in cleaned:
                cleaned.add(folder)
                remove_stale_temp_files(Path(folder))
            yield FileTask(index, inp.path, outputs, options, converter)


def make_plan(inputs: list[Input], out_dir: str, formats: tuple[str, ...]) -> Plan:
    """Decide the skips and the output-name conflicts (see the module docstring)."""
    plan = Plan(inputs, out_dir, formats, {})
    out_real = os.path.realpath(out_dir)
    claimed = plan.claimed
    order = sorted(range(len(inputs)), key=lambda i: (_is_caption(inputs[i]), i))
    for i in order:
        inp = inputs[i]
        if inp.error is not None:
            plan.decided[i] = _failed(i, inp, inp.error)
            continue
        suffix = inp.rel.suffix.lower()
        if suffix in NOT_TRANSCRIPT_EXTENSIONS:
            plan.decided[i] = FileResult(
                i, inp.path, Outcome.SKIPPED, reason=f"not a transcript ({suffix} file)"
            )
            continue
        owner = claimed.get(inp.real)
        if owner is not None and suffix == ".json" and not written_by_us(inp.path, CONVERT_JSON_START):
            # a JSON file that is not an earlier output (Whisper's segments) is an input: never replaced
            plan.decided[owner] = _failed(
                owner, inputs[owner], f"output {inp.path} would overwrite an input; choose another --out-dir"
            )
            for slot in [slot for slot, k in claimed.items() if k == owner]:
                del claimed[slot]
            owner = None
        if owner is not None:
            plan.decided[i] = FileResult(
                i, inp.path, Outcome.SKIPPED, reason=f"output of {inputs[owner].path} in this run"
            )
            continue
        slots = [os.path.join(out_real, os.path.relpath(out, out_dir)) for _, out in plan.outputs(inp)]
        slots = [os.path.realpath(s) if os.path.exists(s) else s for s in slots]
        if inp.real in slots:
            plan.decided[i] = _failed(
                i,
                inp,
                f"output {plan.outputs(inp)[slots.index(inp.real)][1]} would "
                "overwrite the input; choose another --out-dir",
            )
            continue
        outside = [out for _, out in plan.outputs(inp) if not _inside(os.path.dirname(out), out_real)]
        if outside:
            plan.decided[i] = _failed(
                i, inp, f"output {outside[0]} would land outside --out-dir (through a link)"
            )
            continue
        taken = next((s for s in slots if s in claimed), None)
        if taken is not None:
            other = inputs[claimed[taken]].path
            plan.decided[i] = _failed(i, inp, f"output {taken} is also the output of {other}")
            continue
        for s in slots:
            claimed[s] = i
    return plan


CONVERT_JSON_START = '{\n  "version": '  # how convert's JSON output begins
REPORT_JSON_START = '{\n  "captionkit": '  # how a batch report begins


def written_by_us(path: str, start: str) -> bool:
    """Whether the file at ``path`` begins as captionkit writes that kind of JSON (so replacing it loses no
    input); an unreadable file is not ours."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(start)).decode("utf-8", "replace") == start
    except OSError:
        return False


def _inside(folder: str, root_real: str) -> bool:
    """``folder`` (maybe not there yet) resolves inside ``root_real``: no link inside --out-dir leads out."""
    real = os.path.realpath(folder)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _is_caption(inp: Input) -> bool:
    return inp.rel.suffix.lower() in _OUTPUT_EXTENSIONS


def _failed(index: int, inp: Input, message: str) -> FileResult:
    return FileResult(index, inp.path, Outcome.FAILED, error=f"{inp.path}: {message}")


def _up_to_date(path: str, outputs: list[str]) -> bool:
    try:
        source = os.stat(path).st_mtime_ns
        return all(os.stat(out).st_mtime_ns >= source for out in outputs)
    except OSError:
        return False
