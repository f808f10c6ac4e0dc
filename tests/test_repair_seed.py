"""The seed interview: the 00:43 duplicate exchange is repaired as issue 3 describes, and nothing else."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from toolkit.model import Document, Turn
from toolkit.parse import parse_text, read_document
from toolkit.repair import RepairResult, analyse, repair, write_transcript
from toolkit.repair.sentences import split_sentences, words_of

SEED = Path(__file__).resolve().parent.parent / "samples" / "tucker_lavrov.txt"
Q1 = "So you believe the Biden administration is doing something similar again"
A1 = "Because that episode with the expulsion and the seizure of property"
Q2 = "But this time, President Trump was elected on the explicit promise"
A2 = "Well, the terms I basically alluded to them"


@pytest.fixture(scope="module")
def doc() -> Document:
    return read_document(SEED)


@pytest.fixture(scope="module")
def result(doc: Document) -> RepairResult:
    return repair(doc)


def _count(turns: tuple[Turn, ...] | list[Turn], needle: str) -> int:
    return sum(t.text.count(needle) for t in turns)


def _sentence_counts(turns: tuple[Turn, ...]) -> Counter[str]:
    return Counter(s.text for t in turns for s in split_sentences(t.text))


def test_seed_findings_golden(result: RepairResult) -> None:
    got = [(f.code, f.line) for f in result.findings]
    assert got == [
        ("P005", 117),
        ("T002", 123),
        ("T002", 125),
        ("T002", 127),
        ("T005", 129),
        ("T004", 139),
    ]


def test_each_duplicated_sentence_appears_once(doc: Document, result: RepairResult) -> None:
    for needle in (Q1, A1, Q2, "So I think they’re doing the same."):
        assert _count(doc.turns, needle) == 2
        assert _count(result.turns, needle) == 1
    assert _count(result.turns, "what are the terms to which you agree?") == 1
    assert _count(result.turns, "you’d agree") == 0


def test_answer_at_43_47_keeps_place_and_time(result: RepairResult) -> None:
    turns = result.turns
    k = next(i for i, t in enumerate(turns) if t.text.startswith(A2))
    assert turns[k].start_ms == (43 * 60 + 47) * 1000 and turns[k].line == 129
    assert [t.line for t in turns[k - 3 : k + 1]] == [119, 121, 123, 129]
    assert turns[k - 1].text.endswith("what are the terms to which you agree?")
    assert turns[k].speaker == "Sergey Lavrov"


def test_timeline_monotonic_and_all_set(result: RepairResult) -> None:
    starts = [t.start_ms for t in result.turns]
    assert all(s is not None for s in starts)
    assert starts == sorted(starts)  # type: ignore[type-var]
    assert len(result.turns) == 85


def test_legitimate_repeats_survive(doc: Document, result: RepairResult) -> None:
    before, after = _sentence_counts(doc.turns), _sentence_counts(result.turns)
    for sentence, n in {"Yes.": 6, "No.": 4, "I don’t know.": 3, "Not at all.": 2, "No, NATO.": 2}.items():
        assert before[sentence] == n
        assert after[sentence] == n, sentence
    echo = [t for t in result.turns if t.text.startswith("No, NATO.")]
    assert [(t.speaker, t.start_ms) for t in echo] == [("Tucker", 2675000), ("Sergey Lavrov", 2676000)]


def test_report_names_removed_text_and_kept_copy(result: RepairResult) -> None:
    dups = [c for c in result.changes if c.kind == "duplicate"]
    assert [(c.lines, c.kept_line) for c in dups] == [((123,), 119), ((125,), 121), ((127,), 123)]
    assert dups[0].text.startswith(Q1) and dups[1].text.startswith(A1) and dups[2].text.startswith(Q2)
    assert all("kept the first copy" in c.reason and "speakers' rates" in c.reason for c in dups)
    assert dups[2].data["similarity"] < 100  # "you'd agree" against "agree"
    t002 = [f for f in result.findings if f.code == "T002"]
    assert [f.data["kept_line"] for f in t002] == [119, 121, 123]
    assert t002[1].data["removed_text"].startswith(A1)


def test_result_carries_the_removed_copies_with_their_times(doc: Document, result: RepairResult) -> None:
    # the media stage tries a removed copy's timestamp too: it comes with the result, not re-read
    source = {t.line: t.start_ms for t in doc.turns}
    whole = [c for c in result.changes if c.kind == "duplicate" and c.data["whole_turn"]]
    assert [(r.line, r.kept_line) for r in result.removed] == [(c.lines[0], c.kept_line) for c in whole]
    assert [(r.line, r.kept_line) for r in result.removed] == [(125, 121), (127, 123)]
    assert [r.start_ms for r in result.removed] == [source[125], source[127]]


def test_time_base_jump_about_37_s(result: RepairResult) -> None:
    (jump,) = [f for f in result.findings if f.code == "T005"]
    assert 36_000 <= jump.data["offset_ms"] <= 37_000
    assert "+37 s" in jump.message and jump.data["corrected"] is False
    assert jump.data["pairs"] == [[121, 125, 37_000], [123, 127, 36_000]]


def test_speaker_merge_reported(result: RepairResult) -> None:
    (merge,) = [c for c in result.changes if c.kind == "speaker"]
    assert merge.lines == (117, 121) and merge.data["canonical"] == "Sergey Lavrov"
    assert {t.speaker for t in result.turns} == {"Tucker", "Sergey Lavrov"}


def test_no_spurious_rate_or_order_findings(result: RepairResult) -> None:
    codes = Counter(f.code for f in result.findings)
    assert codes["T003"] == 0 and codes["T001"] == 0 and codes["T007"] == 0 and codes["T008"] == 0
    (same,) = [f for f in result.findings if f.code == "T004"]
    assert same.severity.value == "info" and same.data["previous_line"] == 137


def test_nothing_lost(doc: Document, result: RepairResult) -> None:
    kept = Counter(w for t in result.turns for w in words_of(t.text))
    removed = Counter(w for c in result.changes if c.kind == "duplicate" for w in words_of(c.text))
    assert kept + removed == Counter(w for t in doc.turns for w in words_of(t.text))


def test_idempotent_in_memory_and_through_the_file(doc: Document, result: RepairResult) -> None:
    again = repair(Document(doc.path, doc.kind, result.turns, layout=doc.layout))
    assert again.changes == () and again.turns == result.turns
    text = write_transcript(result.turns, doc.layout)
    reread = parse_text(text, path="repaired.txt")
    assert reread.layout == doc.layout
    assert [(t.speaker, t.start_ms, t.text) for t in reread.turns] == [
        (t.speaker, t.start_ms, t.text) for t in result.turns
    ]
    assert repair(reread).changes == ()


def test_analyse_is_repairs_findings(doc: Document, result: RepairResult) -> None:
    assert analyse(doc) == result.findings


def test_written_layout_is_the_inputs(result: RepairResult) -> None:
    text = write_transcript(result.turns[:2], "name-bracket-time")
    assert re.match(r"^Tucker \[00:00:00\] Minister Lavrov, thank you", text)
    assert "\n\nSergey Lavrov [00:00:07] I wouldn’t say so." in text
