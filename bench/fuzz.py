"""Fuzz captionkit in-process: generated inputs through parse, repair, segment, write and validate.

    .venv/bin/python bench/fuzz.py --count 100000 --seed 1    # the long run (figures in the README)
    .venv/bin/python bench/fuzz.py --count 300 --seed 0       # what `make test` runs (tests/test_fuzz.py)

Inputs: random bytes; mutations of the layouts in samples/layouts, a slice of the seed interview and the
caption fixtures (bytes flipped, lines dropped, doubled, swapped and cut, timestamps restarted, mistyped
or made huge, markup, ``-->`` and control characters inserted); the same texts in UTF-16, cp1252 after a
UTF-8 BOM, with lone surrogates; tiny and huge values (400-digit hours, a sentence repeated thousands of
times, 1 MB of ". . .").

Each input is written to a file (``.txt``, ``.srt`` or ``.vtt``) and converted as ``convert`` does, under a
time limit. Checked: no exception outside the ToolkitError family, and a ToolkitError's message is one
line; the cues are valid (start < end, in order, no overlap); no word of the turns is missing from the
cues; the JSON output is plain JSON; the SRT and WebVTT outputs re-read by captionkit's own ``validate``
have no error. Prints the problems found, grouped by where they happen, and exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from toolkit.captions import loads  # noqa: E402
from toolkit.errors import ToolkitError  # noqa: E402
from toolkit.pipeline import ConvertOptions, ConvertResult, convert_file, render  # noqa: E402
from toolkit.profiles import DEFAULT_PROFILE, PROFILES  # noqa: E402
from toolkit.validate.files import validate_text  # noqa: E402

WORD = re.compile(r"[^\W_]+", re.UNICODE)
MARKUP = [b" <b>x</b>", b" <v Fake>", b" Dr. <Who>", b" -->", b" &amp;", b"\x0c", b"\xe2\x80\x8d",
          b" {\\an8}", b" (laughs)", b" [inaudible]"]  # fmt: skip


def _seeds() -> list[tuple[str, bytes]]:
    layouts = sorted((ROOT / "samples" / "layouts").iterdir())
    out = [(p.suffix, p.read_bytes()) for p in layouts if p.suffix in (".txt", ".srt", ".vtt")]
    seed = (ROOT / "samples" / "tucker_lavrov.txt").read_bytes()
    out.append((".txt", seed[len(seed) // 3 : len(seed) // 3 + 6000]))
    for p in sorted((ROOT / "tests" / "fixtures" / "validate").iterdir()):
        out.append((p.suffix, p.read_bytes()))
    return out


def _stamp(rng: random.Random) -> str:
    return rng.choice(
        [
            "[00:00:00]",
            f"[{rng.randint(0, 99):02d}:{rng.randint(0, 99):02d}:{rng.randint(0, 99):02d}]",
            "[" + "9" * rng.randint(20, 400) + ":00:00]",
            f"{rng.randint(0, 9)}:{rng.randint(0, 59):02d}",
            f"00:00:{rng.randint(0, 59):02d},{rng.randint(0, 999):03d} --> 00:00:{rng.randint(0, 59):02d},0",
            "-->",
            "",
        ]
    )


def _mutate(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(9)
        if not lines:
            lines = [b""]
        i = rng.randrange(len(lines))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines[i] = re.sub(rb"\d\d:\d\d(:\d\d)?", _stamp(rng).encode(), lines[i], count=1)
        elif op == 4 and lines[i]:
            k = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:k] + bytes([rng.randrange(256)]) + lines[i][k + 1 :]
        elif op == 5:
            lines[i] = lines[i] + rng.choice(MARKUP)
        elif op == 6:
            lines = lines[: rng.randrange(len(lines) + 1)]
        elif op == 7:
            lines.insert(i, f"Speaker {rng.randint(0, 9)} {_stamp(rng)} words here.".encode())
        else:
            lines[i] = lines[i] * rng.randint(2, 50)
    return b"\n".join(lines)


def _encode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    choice = rng.randrange(6)
    if choice == 0:
        return b"\xff\xfe" + text.encode("utf-16-le", "replace") + rng.choice([b"", b"\x00", b"\x00\xd8"])
    if choice == 1:
        return b"\xef\xbb\xbf" + text.encode("cp1252", "replace")
    if choice == 2:
        return data.replace(b" ", b" \xed\xa0\x80 ", 1)
    if choice == 3:
        return text.encode("cp1252", "replace")
    return data


def _huge(rng: random.Random) -> tuple[str, bytes]:
    choice = rng.randrange(4)
    if choice == 0:
        return ".txt", b"A [00:00:01] " + b". " * rng.randint(1000, 200_000) + b"\n"
    if choice == 1:
        return ".txt", b"A [00:00:01] " + b"This is the same sentence again. " * rng.randint(
            100, 3000
        ) + b"\n"
    if choice == 2:
        turns = rng.randint(100, 3000)
        return ".txt", b"".join(
            f"S{k} [{k // 3600:02d}:{k // 60 % 60:02d}:{k % 60:02d}] Same words here.\n".encode()
            for k in range(turns)
        )
    return ".srt", b"".join(
        f"{k}\n00:00:01,000 --> 00:00:02,000\nline {k}\n\n".encode() for k in range(1, 3000)
    )


def inputs(seed: int, count: int) -> Iterator[tuple[str, bytes]]:
    rng = random.Random(seed)
    base = _seeds()
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            yield (
                rng.choice([".txt", ".srt", ".vtt"]),
                bytes(rng.randrange(256) for _ in range(rng.randint(0, 400))),
            )
        elif roll < 0.08:
            yield _huge(rng)
        else:
            suffix, data = rng.choice(base)
            data = _mutate(rng, data)
            if rng.random() < 0.2:
                data = _encode(rng, data)
            if rng.random() < 0.1:
                suffix = rng.choice([".txt", ".srt", ".vtt"])
            yield suffix, data


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Timeout


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/toolkit/" in f.filename]
    f = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} at {Path(f.filename).name}:{f.lineno}"


def check(path: Path, options: ConvertOptions) -> list[str]:
    """The problems one input shows (empty: none)."""
    try:
        result = convert_file(path, options)
    except ToolkitError as exc:
        return ["multi-line error message"] if "\n" in str(exc) else []
    if result.captions is not None:
        return check_captions(result, options)
    problems: list[str] = []
    cues = result.cues
    for a, b in itertools.pairwise(cues):
        if b.start_ms < a.start_ms or b.start_ms < a.end_ms:
            problems.append("cues out of order or overlapping")
            break
    said = Counter(w.casefold() for t in result.turns for w in WORD.findall(t.text))
    shown = Counter(w.casefold() for c in cues for w in WORD.findall(c.text))
    if said - shown:
        problems.append("a word of the turns is missing from the cues")
    json.loads(render(result, "json"))
    for fmt in ("srt", "vtt"):
        text = render(result, fmt)
        report = validate_text(text, path=f"out.{fmt}", profile=options.profile, kind=fmt)
        errors = sorted({f.code for f in report.findings if f.severity.value == "error"})
        if errors:
            problems.append(f"{fmt} output has errors {','.join(errors)}")
    return problems


def check_captions(result: ConvertResult, options: ConvertOptions) -> list[str]:
    """A caption file converted cue for cue: each output reads back with the same cues, and has no error
    the input did not have (an overlap, an empty cue in the input stays in the output, reported)."""
    assert result.captions is not None
    problems: list[str] = []
    doc = result.captions
    had = {f.code for f in result.findings}
    if "C008" in had:  # a cue that starts before the one above it overlaps it once an empty cue is left out
        had.add("C007")
    json.loads(render(result, "json"))
    for fmt in ("srt", "vtt"):
        text = render(result, fmt)
        back = loads(text, fmt, path=f"out.{fmt}")
        kept = [c for c in doc.cues if fmt == "vtt" or c.plain.strip()]
        same = [(c.start_ms, c.end_ms) for c in back.cues] == [(c.start_ms, c.end_ms) for c in kept]
        if not same:
            problems.append(f"{fmt} output does not read back with the input's cue times")
        elif fmt == "vtt" and [c.plain for c in back.cues] != [
            "\n".join(ln for ln in c.plain.replace("\0", "\ufffd").split("\n") if ln) for c in kept
        ]:
            problems.append("vtt output does not read back with the input's text")
        report = validate_text(text, path=f"out.{fmt}", profile=options.profile, kind=fmt)
        errors = sorted({f.code for f in report.findings if f.severity.value == "error"} - had)
        if errors:
            problems.append(f"{fmt} output has errors the input had not {','.join(errors)}")
    return problems


def run(
    seed: int, count: int, time_limit: float, on_problem: Callable[[str, str, bytes], None]
) -> dict[str, int]:
    options = ConvertOptions(profile=PROFILES[DEFAULT_PROFILE])
    found: Counter[str] = Counter()
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n, (suffix, data) in enumerate(inputs(seed, count)):
                path = Path(tmp) / f"in{n}{suffix}"
                path.write_bytes(data)
                signal.setitimer(signal.ITIMER_REAL, time_limit)
                try:
                    problems = check(path, options)
                except _Timeout:
                    problems = [f"over {time_limit:g} s"]
                except Exception as exc:
                    problems = [f"internal error: {_where(exc)}"]
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                for p in problems:
                    found[p] += 1
                    on_problem(p, suffix, data)
                path.unlink()
    finally:
        signal.signal(signal.SIGALRM, previous)
    return dict(found)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--keep", type=Path, help="write each failing input into this folder")
    args = ap.parse_args()
    kept = 0

    def keep(problem: str, suffix: str, data: bytes) -> None:
        nonlocal kept
        print(f"problem: {problem}", file=sys.stderr)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"case{kept}{suffix}").write_bytes(data)
            kept += 1

    t0 = time.perf_counter()
    found = run(args.seed, args.count, args.time_limit, keep)
    wall = time.perf_counter() - t0
    print(f"{args.count} inputs (seed {args.seed}) in {wall:.0f} s: {sum(found.values())} problems")
    for problem, n in sorted(found.items(), key=lambda kv: -kv[1]):
        print(f"  {n:6d}  {problem}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
