"""The media path on real human recordings: convert --media against the rate model and aeneas, sync against
ffsubsync, on ../shared/realspeech (and degraded copies of it).

    .venv/bin/python bench/bench_realspeech.py [--corpus ../shared/realspeech] [--degradations clean]
        [--no-aeneas] [--no-ffs]

convert: every reference sentence's start as the output shows it (the first word's time where the cues
carry word times, else interpolated over the cue: where a text-only tool puts it), against its true start;
mean / median / p95 / max of |error| in ms, and how many are more than 1 s and 2 s off. Columns:
``convert --media`` (words, the default), ``convert --media --align sync``, the rate model (``convert``
without media) and aeneas 1.7.3 (bench/aeneas_align.py: its own venv, one fragment per sentence).

``--shift-stamps S`` moves every transcript stamp by S seconds first (a transcript made for another cut of
the media): convert only, and how many recordings ``convert --media`` puts back.

``--unstamped`` keeps only each speaker's first stamp and writes their later turns ``Name: text`` (a
transcript that stamps a turn now and then; repair estimates the other starts, P004): convert only.

``--disfluent`` inserts into the audio of every recording with word labels what spontaneous speech has and
a clean-verbatim transcript leaves out (a word said twice, a word broken off, a hesitation pause; one per
sentence, cut from the speaker's own words: ``realspeech.disfluent``): convert only, and how often
``convert --media`` reported such audio as A002.

``--end-to-end`` puts the items in one recording, one after another (2 s of silence between them), the
k-th in the k-th of the ``--degradations`` (in turn), with one transcript whose stamps are moved with
them: the sound changes from segment to segment, as in a programme with a studio, a phone-in and a field
report, and every stage (turn sync, the speakers' usual fit, repair) sees all of it at once. convert:
one row per segment; sync: the reference captions late by 7.3 s, cut (2 s late, then 9 s), and at
25/23.976 of their speed. With ``--disfluent``, the items with word labels have their disfluencies.

sync: reference captions (one cue per sentence, true times) shifted by +7.3 s, re-timed by
``captionkit sync`` (in-process, the same code) and by ffsubsync 0.5.1 (bench/_work/ffs, default
settings); right = at least 90 % of the cues within 400 ms of their true start. For captionkit an answer
is either applied (accepted) or refused (exit 3, the captions left as they were); ffsubsync always
writes its answer.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import realspeech as rs  # noqa: E402
from bench.bench_sync import read_srt, write_srt  # noqa: E402
from toolkit.pipeline import ConvertOptions, convert_file  # noqa: E402
from toolkit.pipeline.caption_sync import sync_captions  # noqa: E402

FFS = HERE / "_work" / "ffs" / "bin" / "ffs"
SHIFT_MS = 7300


SKIPS: dict[str, int] = {}  # A002 findings ("audio not in the transcript") per case, convert --media


def convert_errors(
    item: rs.Item,
    media: Path | None,
    align: str = "words",
    transcript: Path | None = None,
    truth: dict[str, Any] | None = None,
    case: str = "",
) -> list[int | None]:
    assert item.transcript is not None
    options = ConvertOptions(media=str(media), align=align) if media else ConvertOptions()
    result = convert_file(str(transcript or item.transcript), options)
    if media and align == "words":
        SKIPS[case] = sum(f.code == "A002" for f in result.findings)
    return rs.result_errors(truth or item.truth, result)


def disfluent_case(item: rs.Item, how: str) -> tuple[Path, Path, dict[str, Any], int]:
    """The item's media (degraded by ``how``) with disfluencies inserted (``rs.disfluent``), written
    once: media, transcript, moved truth and how many were inserted."""
    d = rs.disfluent(item, how)
    folder = rs.WORK / "disfluent"
    media = folder / f"{item.name}.{how}.wav"
    if not media.exists():
        rs.write_wav(media, d.audio)
    text = folder / f"{item.name}.{how}.transcript.txt"
    text.write_text(d.transcript)
    return media, text, d.truth, len(d.inserted)


STAMP = re.compile(r"\[(\d\d):(\d\d):(\d\d)\]")


def shifted_transcript(item: rs.Item, shift_s: int) -> Path:
    """A copy of the item's transcript with every stamp moved by ``shift_s`` seconds (not below 0): a
    transcript made for a cut with an intro, or timed against another copy of the media."""
    assert item.transcript is not None

    def moved(m: re.Match[str]) -> str:
        t = max(0, int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + shift_s)
        return f"[{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}]"

    out = rs.WORK / "shifted" / f"{item.name}.{shift_s:+d}s.transcript.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(STAMP.sub(moved, item.transcript.read_text()))
    return out


def unstamped_transcript(item: rs.Item) -> Path:
    """A copy of the item's transcript in which only each speaker's first turn keeps its stamp
    (``rs.first_stamps_only``)."""
    assert item.transcript is not None
    out = rs.WORK / "unstamped" / f"{item.name}.transcript.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(rs.first_stamps_only(item.transcript.read_text()))
    return out


def untimed_transcript(item: rs.Item) -> Path:
    """A copy of the item's transcript without any timestamp: every turn written ``Name: text``."""
    assert item.transcript is not None
    out = rs.WORK / "untimed" / f"{item.name}.transcript.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        re.sub(r"^(.*?)[ \t]*\[\d\d:\d\d:\d\d\][ \t]*", r"\1: ", item.transcript.read_text(), flags=re.M)
    )
    return out


def aeneas_errors(item: rs.Item, how: str) -> list[int | None]:
    from bench import aeneas_align

    audio = rs.degrade(item, how)
    return aeneas_align.sentence_errors(item.truth, audio, rs.RATE, rs.WORK, f"{item.name}.{how}")


def sync_case(item: rs.Item, how: str, use_ffs: bool) -> dict[str, Any]:
    sentences = [s for s in item.truth["sentences"] if s.get("text")]
    truth = np.array([int(s["start_ms"]) for s in sentences])
    cues = [(int(s["start_ms"]) + SHIFT_MS, int(s["end_ms"]) + SHIFT_MS, s["text"]) for s in sentences]
    media = rs.media_file(item, how)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        srt = write_srt_file(Path(tmp) / "late.srt", cues)
        ours = sync_captions(str(srt), str(media))
        right = bool(np.mean(np.abs(np.array(ours.starts_ms) - truth) <= 400) >= 0.9)
        out["ours"] = {
            "accepted": ours.result.accepted,
            "right": right,
            "offset_ms": ours.result.offset_ms,
            "confidence": round(ours.result.confidence, 3),
            "detector": (
                f"{ours.detector}, then the text check"
                if ours.result.details.get("text_check", {}).get("verified")
                else ours.detector
            ),
        }
        if use_ffs:
            out["ffsubsync"] = {"right": ffsubsync_right(media, srt, sentences, truth)}
    return out


def ffsubsync_right(media: Path, srt: Path, sentences: list[dict[str, Any]], truth: np.ndarray) -> bool:
    """ffsubsync's answer for the captions ``srt`` (one cue per sentence): right when at least 90 % of
    the cues start within 400 ms of their true start (``truth``)."""
    done = srt.with_name("ffs.srt")
    subprocess.run([str(FFS), str(media), "-i", str(srt), "-o", str(done)], check=True, capture_output=True)
    got = {text: s for s, _, text in read_srt(done)}
    starts = np.array([got.get(s["text"], 10**9) for s in sentences])
    return bool(np.mean(np.abs(starts - truth) <= 400) >= 0.9)


def write_srt_file(path: Path, cues: list[tuple[int, int, str]]) -> Path:
    write_srt(path, cues)
    return path


def end_to_end_table(corpus: Path, hows: list[str], use_ffs: bool, spontaneous: bool = False) -> None:
    """``--end-to-end``: convert --media, --align sync and the rate model on the items end to end, then
    sync of the reference captions moved three ways (and ffsubsync on the same)."""
    e2e = rs.end_to_end(rs.items(corpus), hows, spontaneous=spontaneous)
    media = rs.write_wav(rs.WORK / "end_to_end.wav", e2e.audio)
    transcript = rs.WORK / "end_to_end.transcript.txt"
    transcript.write_text(e2e.transcript, encoding="utf-8")
    columns = {"media": "convert --media", "sync": "--align sync", "rate": "rate model"}
    errors: dict[str, list[int | None]] = {}
    findings: dict[str, int] = {}
    for column in columns:
        options = ConvertOptions()
        if column != "rate":
            options = ConvertOptions(media=str(media), align="words" if column == "media" else "sync")
        result = convert_file(str(transcript), options)
        errors[column] = rs.result_errors(e2e.truth, result)
        if column == "media":
            for f in result.findings:
                findings[f.code] = findings.get(f.code, 0) + 1
    minutes = len(e2e.audio) / rs.RATE / 60
    print(f"The items end to end: {minutes:.1f} minutes, {len(e2e.segments)} sentences\n")
    print("Sentence start error, ms: mean / median / p95 / max | sentences > 1 s / > 2 s off\n")
    print("| segment | sentences | " + " | ".join(columns.values()) + " |")
    print("|---|---|" + "---|" * len(columns))
    for segment in dict.fromkeys(e2e.segments):
        rows = [k for k, s in enumerate(e2e.segments) if s == segment]
        cells = " | ".join(fmt(rs.summary([errors[c][k] for k in rows])) for c in columns)
        print(f"| {segment} | {len(rows)} | {cells} |")
    cells = " | ".join(f"**{fmt(rs.summary(errors[c]))}**" for c in columns)
    print(f"| **all** | {len(e2e.segments)} | {cells} |")
    codes = ", ".join(f"{code} {n}" for code, n in sorted(findings.items()) if code[0] in "AMT")
    print(f"\nconvert --media findings: {codes or 'none'}")
    syncs = end_to_end_syncs(e2e, media, use_ffs)
    print("\n| captions | captionkit sync | ffsubsync |\n|---|---|---|")
    for name, got in syncs.items():
        o = got["ours"]
        state = ("right" if o["right"] else "WRONG") if o["accepted"] else "refused (exit 3)"
        ffs = ("right" if got["ffsubsync"]["right"] else "wrong") if "ffsubsync" in got else "-"
        print(f"| {name} | {state}, {o['segments']} segment(s), confidence {o['confidence']:.2f} | {ffs} |")
    out = rs.WORK.parent / "realspeech_results.json"
    result = {"segments": e2e.segments, "errors": errors, "sync": syncs}
    out.write_text(json.dumps({"end_to_end": result}, indent=1))


def end_to_end_syncs(e2e: rs.EndToEnd, media: Path, use_ffs: bool) -> dict[str, dict[str, Any]]:
    """The reference captions (one cue per sentence) late by 7.3 s; late by 2 s up to the middle sentence
    and by 9 s after it (a cut); at 25/23.976 of their speed and 1 s late. Right: at least 90 % of the
    cues within 400 ms of their true start."""
    sentences = [s for s in e2e.truth["sentences"] if s.get("text")]
    truth = np.array([int(s["start_ms"]) for s in sentences])
    mid = len(sentences) // 2
    moves = {
        "late by 7.3 s": lambda k, t: t + 7300,
        "a cut: 2 s late, then 9 s": lambda k, t: t + (2000 if k < mid else 9000),
        "25/23.976 of the speed, 1 s late": lambda k, t: round(t * 25 / 23.976) + 1000,
    }
    out: dict[str, dict[str, Any]] = {}
    for name, move in moves.items():
        cues = [(move(k, s["start_ms"]), move(k, s["end_ms"]), s["text"]) for k, s in enumerate(sentences)]
        with tempfile.TemporaryDirectory() as tmp:
            srt = write_srt_file(Path(tmp) / "moved.srt", cues)
            ours = sync_captions(str(srt), str(media))
            right = bool(np.mean(np.abs(np.array(ours.starts_ms) - truth) <= 400) >= 0.9)
            got: dict[str, Any] = {
                "ours": {
                    "accepted": ours.result.accepted,
                    "right": right,
                    "segments": len(ours.result.segments),
                    "confidence": round(ours.result.confidence, 3),
                }
            }
            if use_ffs:
                got["ffsubsync"] = {"right": ffsubsync_right(media, srt, sentences, truth)}
        out[name] = got
    return out


def fmt(s: dict[str, float]) -> str:
    spread = " / ".join(f"{s[k]:.0f}" for k in ("mean", "median", "p95", "max"))
    return f"{spread} | {s['over_1s']} / {s['over_2s']}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--degradations", default="clean")
    ap.add_argument("--no-aeneas", action="store_true")
    ap.add_argument("--no-ffs", action="store_true")
    ap.add_argument(
        "--shift-stamps",
        type=int,
        default=0,
        help="move every transcript stamp by this many seconds (convert only; the sync cases are skipped)",
    )
    ap.add_argument(
        "--unstamped",
        action="store_true",
        help="keep only each speaker's first stamp; later turns are written 'Name: text' (convert only)",
    )
    ap.add_argument(
        "--untimed",
        action="store_true",
        help="no stamp at all: every turn written 'Name: text' (convert --media only, against aeneas, which "
        "is given the text alone in any case)",
    )
    ap.add_argument(
        "--disfluent",
        action="store_true",
        help="insert repeats, false starts and pauses the transcript leaves out (convert only; items with "
        "word labels)",
    )
    ap.add_argument(
        "--end-to-end",
        action="store_true",
        help="the items in one recording, one after another, each in the next of the degradations "
        "(convert only)",
    )
    args = ap.parse_args()
    corpus = rs.corpus_dir(args.corpus)
    if args.end_to_end:
        end_to_end_table(
            corpus, args.degradations.split(","), not args.no_ffs and FFS.exists(), args.disfluent
        )
        return
    use_aeneas = not args.no_aeneas
    if use_aeneas:
        from bench import aeneas_align

        use_aeneas = aeneas_align.available()
        if not use_aeneas:
            print(f"# aeneas skipped: no venv at {aeneas_align.VENV}", file=sys.stderr)
    use_ffs = not args.no_ffs and FFS.exists()
    use_aeneas = use_aeneas and not (args.disfluent or args.unstamped)
    stamped = not args.untimed  # an untimed transcript has no rate-model timing, and --align sync none
    columns = ["media", *(["sync", "rate"] if stamped else []), *(["aeneas"] if use_aeneas else [])]
    errors: dict[str, dict[str, list[int | None]]] = {c: {} for c in columns}
    syncs: list[dict[str, Any]] = []
    inserted = 0
    for item in rs.items(corpus):
        if args.disfluent and not item.truth.get("words"):
            continue
        given = shifted_transcript(item, args.shift_stamps) if args.shift_stamps else None
        given = unstamped_transcript(item) if args.unstamped else given
        given = untimed_transcript(item) if args.untimed else given
        for how in args.degradations.split(","):
            key = f"{item.name} ({how})" if how != "clean" else item.name
            text, truth = given, None
            if args.disfluent:
                media, text, truth, n = disfluent_case(item, how)
                inserted += n
            else:
                media = rs.media_file(item, how)
            errors["media"][key] = convert_errors(item, media, transcript=text, truth=truth, case=key)
            if stamped:
                errors["sync"][key] = convert_errors(item, media, "sync", transcript=text, truth=truth)
                errors["rate"][key] = convert_errors(item, None, transcript=text, truth=truth)
            if use_aeneas:
                errors["aeneas"][key] = aeneas_errors(item, how)
            if not (args.shift_stamps or args.disfluent or args.unstamped or args.untimed):
                syncs.append({"item": key, **sync_case(item, how, use_ffs)})
            medians = ", ".join(f"{c} {rs.summary(errors[c][key])['median']:.0f}" for c in columns)
            print(f"# {key}: {medians}", file=sys.stderr)
    names = {
        "media": "convert --media",
        "sync": "--align sync",
        "rate": "rate model",
        "aeneas": "aeneas 1.7.3",
    }
    print("Sentence start error, ms: mean / median / p95 / max | sentences > 1 s / > 2 s off\n")
    print("| recording | sentences | " + " | ".join(names[c] for c in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for key in errors["media"]:
        n = len(errors["media"][key])
        print(f"| {key} | {n} | " + " | ".join(fmt(rs.summary(errors[c][key])) for c in columns) + " |")
    every = {c: [e for v in errors[c].values() for e in v] for c in columns}
    n = len(every["media"])
    print(f"| **all** | {n} | " + " | ".join(f"**{fmt(rs.summary(every[c]))}**" for c in columns) + " |")
    but = {c: [e for k, v in errors[c].items() if "meeting" not in k for e in v] for c in columns}
    if len(but["media"]) < n:
        row = " | ".join(fmt(rs.summary(but[c])) for c in columns)
        print(f"| all but the meeting | {len(but['media'])} | {row} |")
    if args.shift_stamps:
        fixed = sum(rs.summary(v)["median"] < 1000 for v in errors["media"].values())
        total = len(errors["media"])
        shift = args.shift_stamps
        print(f"\nstamps moved {shift:+d} s: convert --media puts {fixed} of {total} recordings back")
        print("(median sentence start error under 1 s)")
    if args.disfluent:
        print(f"\n{inserted} disfluencies inserted; convert --media reported A002 (audio not in the")
        print(f"transcript) {sum(SKIPS.values())} times")
    out = rs.WORK.parent / "realspeech_results.json"
    if not syncs:
        out.write_text(json.dumps({"errors": errors, "skips": SKIPS}, indent=1))
        return
    print("\n| recording | captionkit sync | ffsubsync |\n|---|---|---|")
    for s in syncs:
        o = s["ours"]
        state = ("right" if o["right"] else "WRONG") if o["accepted"] else "refused (exit 3)"
        ffs = ("right" if s["ffsubsync"]["right"] else "wrong") if "ffsubsync" in s else "-"
        found = f"offset {o['offset_ms'] / 1000:+.2f} s, confidence {o['confidence']:.2f} ({o['detector']})"
        print(f"| {s['item']} | {state}, {found} | {ffs} |")
    ok = sum(s["ours"]["accepted"] and s["ours"]["right"] for s in syncs)
    wrong = sum(s["ours"]["accepted"] and not s["ours"]["right"] for s in syncs)
    ffs_ok = sum(s.get("ffsubsync", {}).get("right", False) for s in syncs)
    print(f"\ncaptionkit: {ok} of {len(syncs)} right, {wrong} wrong accepted; ffsubsync: {ffs_ok} right")
    out.write_text(json.dumps({"errors": errors, "skips": SKIPS, "sync": syncs}, indent=1))


if __name__ == "__main__":
    main()
