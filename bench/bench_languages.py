"""Beyond English (issue 18): sentence starts of `convert --media` on real speech in other languages.

    .venv/bin/python bench/bench_languages.py [--corpus ../shared/realspeech]

Reads ``multilingual/`` of the real-speech corpus (French, German and Mandarin recordings with
hand-checked sentence starts; see its README) where it lies, beside the repository: the recordings are
not part of captionkit and are never copied into it. Columns, all in-process with the same code:

- ``English aligner`` (what ``convert --media`` did before issue 18: pocketsphinx's English model on any
  language, Chinese not segmented): ``--language en``;
- ``convert --media`` as it is now (language detected; no English model on other languages);
- ``--align sync`` (turn sync and speech onsets, no word alignment);
- the rate model (``convert`` without media).

A reference sentence is found in the output's text by its first three words (first four characters in
Chinese and Japanese, which have no spaces), in order; its time is the first word's aligned time where
the cues carry word times, else interpolated over the cue by character offset (where a text-only tool
places it), as ``bench/bench_realspeech.py`` scores. Error = found - true start, in ms; a sentence that is
not found counts 10 s.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import realspeech as rs  # noqa: E402
from toolkit.pipeline import ConvertOptions, ConvertResult, convert_file  # noqa: E402

_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNIT = re.compile(f"[{_HAN_KANA}]|[^\\W_{_HAN_KANA}]+(?:['’][^\\W_{_HAN_KANA}]+)*")
COLUMNS = {
    "before": "English aligner (before: --language en)",
    "media": "convert --media (now)",
    "sync": "--align sync",
    "rate": "rate model (no media)",
    "aeneas": "aeneas 1.7.3 (espeak-ng + DTW)",
}
AENEAS_LANGUAGE = {"fr": "fra", "de": "deu", "zh": "cmn", "es": "spa", "pt": "por", "it": "ita", "ja": "jpn"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'")


def units(text: str) -> list[tuple[str, int]]:
    """The text's words (a Han or kana character is one) with their character offsets."""
    return [(m.group(0), m.start()) for m in _UNIT.finditer(_fold(text))]


def unit_times(result: ConvertResult) -> list[tuple[str, int]]:
    """(unit, start ms) for everything shown, in order (see the module docstring)."""
    out: list[tuple[str, int]] = []
    for c in result.cues:
        if c.words:
            for w in c.words:
                out.extend((u, w.start_ms) for u, _ in units(w.text))
            continue
        text = c.text.replace("\n", " ")
        total = max(1, len(text))
        out.extend((u, c.start_ms + (c.end_ms - c.start_ms) * at // total) for u, at in units(text))
    return out


def first_units(text: str) -> list[str]:
    """The units a sentence is found by: its first three words, or four characters of Chinese/Japanese."""
    return [u for u, _ in units(text)][: 4 if _CJK.search(text) else 3]


def sentence_errors(truth: dict[str, Any], shown: list[tuple[str, int]]) -> list[int | None]:
    return rs.sentence_errors(truth, shown, first=first_units)


def options_for(column: str, media: Path) -> ConvertOptions:
    if column == "before":
        return ConvertOptions(media=str(media), language="en")
    if column == "media":
        return ConvertOptions(media=str(media), auto_profile=True)
    if column == "sync":
        return ConvertOptions(media=str(media), align="sync", auto_profile=True)
    return ConvertOptions(auto_profile=True)


def aeneas_errors(item: rs.Item) -> list[int | None]:
    """aeneas 1.7.3 (its own venv, bench/aeneas_align.py) with one fragment per reference sentence, in the
    item's language; every sentence missing (10 s) when its venv is not there."""
    from bench import aeneas_align

    if not aeneas_align.available():
        return [None] * sum(1 for s in item.truth["sentences"] if s.get("text"))
    code = item.name.split("_", 1)[0]
    language = AENEAS_LANGUAGE.get(code, code)
    name = f"{item.name}.lang"
    return aeneas_align.sentence_errors(item.truth, item.audio(), rs.RATE, rs.WORK, name, language)


def fmt(s: dict[str, float]) -> str:
    return f"{s['mean']:.0f} / {s['median']:.0f} / {s['p95']:.0f} / {s['max']:.0f} | {s['over_2s']}"


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--corpus", default=None, help="the real-speech corpus (default ../shared/realspeech)")
    args = ap.parse_args()
    folder = rs.corpus_dir(args.corpus) / "multilingual"
    if not folder.is_dir() or not list(folder.glob("*.truth.json")):
        print(
            f"missing: {folder} (the multilingual recordings of ../shared/realspeech; they are read where "
            "they lie and never copied into the repository)",
            file=sys.stderr,
        )
        sys.exit(2)
    errors: dict[str, dict[str, list[int | None]]] = {c: {} for c in COLUMNS}
    notes: dict[str, str] = {}
    for item in rs.items(folder.parent, ("multilingual",)):
        assert item.transcript is not None
        for column in COLUMNS:
            t = time.perf_counter()
            if column == "aeneas":
                errors[column][item.name] = aeneas_errors(item)
                continue
            result = convert_file(str(item.transcript), options_for(column, item.media))
            errors[column][item.name] = sentence_errors(item.truth, unit_times(result))
            if column == "media":
                codes = sorted({f.code for f in result.findings if f.code[0] in "AP" and f.code != "P001"})
                notes[item.name] = (
                    f"{result.meta.get('language')} ({result.meta.get('language_source')}, "
                    f"{result.meta.get('language_confidence')}), align "
                    f"{result.meta.get('media', {}).get('align')}, profile {result.options.profile.name}, "
                    f"findings {', '.join(codes)}"
                )
            summ = rs.summary(errors[column][item.name])
            print(f"# {item.name} {column}: median {summ['median']:.0f} ms, {time.perf_counter() - t:.1f} s",
                  file=sys.stderr)  # fmt: skip
    print("Sentence start error, ms: mean / median / p95 / max | sentences > 2 s off\n")
    print("| recording | sentences | " + " | ".join(COLUMNS.values()) + " |")
    print("|---|---|" + "---|" * len(COLUMNS))
    for name in errors["media"]:
        n = len(errors["media"][name])
        row = " | ".join(fmt(rs.summary(errors[c][name])) for c in COLUMNS)
        print(f"| {name} | {n} | {row} |")
    every = {c: [e for v in errors[c].values() for e in v] for c in COLUMNS}
    row = " | ".join(f"**{fmt(rs.summary(every[c]))}**" for c in COLUMNS)
    print(f"| **all** | {len(every['media'])} | {row} |\n")
    for name, note in notes.items():
        print(f"- {name}: {note}")


if __name__ == "__main__":
    main()
