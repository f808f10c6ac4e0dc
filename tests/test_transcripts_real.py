"""Real transcript exports (tests/fixtures/transcripts_real, with sources and licences): every file that
parses exactly right today keeps doing so, and no exporter artefact reaches a turn in any file.

The whole score (per layout, and the files still wrong with the first difference) is printed by
`.venv/bin/python bench/bench_transcripts.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_transcripts

EXPECTATIONS = bench_transcripts.load_expectations()
EXACT = [
    "apollo13-spacelog-TEC-markup.txt",
    "apollo13-spacelog-TEC.txt",
    "btctranscripts-bitcoin-explained-v30.md",
    "btctranscripts-chaincode-package-relay.md",
    "changelog-gotime100-bold.md",
    "changelog-jsparty100-breaks.md",
    "changelog-rfc13-plain.md",
    "council-boston-captions.vtt",
    "council-oakland-captions.vtt",
    "council-seattle-broadcast-captions.vtt",
    "cspan-capitol-hill-hearings-2011-10-26.txt",
    "cspan-house-floor-2014-05.txt",
    "cspan-house-oversight-2023-02-01.txt",
    "cspan-senate-floor-2025-02-27.txt",
    "cspan-senate-hearing-2012-06-17.txt",
    "mercury-atlas6-spacelog-TEC.txt",
    "stablets-karaoke-b.srt",
    "stablets-karaoke-font.srt",
    "subsaga-bbc-parliament-business-questions.txt",
    "teams-graph-docs-content.vtt",
    "teams-graph-docs-metadatacontent.vtt",
    "teams-webvttpy-timeframe.vtt",
    "whisper-example-fr.vtt",
    "whisper-example-sample01.srt",
    "whispercpp-cli-maxlen16.txt",
    "whispercpp-cli-word-level.txt",
    "whispercpp-tinydiarize.txt",
    "whisperctranslate2-diarization-hallucination.srt",
    "whisperctranslate2-diarization.tsv",
    "whisperctranslate2-diarization.vtt",
    "whisperctranslate2-line-max-words.srt",
    "whisperctranslate2-line-max-words.vtt",
    "whisperctranslate2-segments.json",
    "whisperctranslate2-segments.srt",
    "whisperctranslate2-translate.srt",
    "whisperctranslate2-translate.tsv",
    "whisperctranslate2-translate.vtt",
    "whisperctranslate2-word-stamps.vtt",
    "whisperx-example-de.srt",
    "whisperx-example-fr.srt",
    "whisperx-example-it.srt",
    "whisperx-example-sample01-word.srt",
    "whisperx-example-sample01.srt",
    "whisperx-smart-example.json",
    "youtube-dl-autocaption.vtt",
]


def test_the_corpus_is_there() -> None:
    assert len(EXPECTATIONS) >= 45
    for name, spec in EXPECTATIONS.items():
        assert (bench_transcripts.FIXTURES / name).is_file(), name
        assert spec["source"] and spec["licence"], name


@pytest.mark.parametrize("name", EXACT)
def test_real_export_parses_exactly(name: str) -> None:
    result = bench_transcripts.score_file(name, EXPECTATIONS[name])
    assert result.first_difference is None


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_no_exporter_artefact_reaches_a_turn(name: str) -> None:
    result = bench_transcripts.score_file(name, EXPECTATIONS[name])
    assert not result.artefacts_found
