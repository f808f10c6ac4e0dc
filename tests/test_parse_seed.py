"""The real input: samples/tucker_lavrov.txt (article prose, 87 turns on lines 47-219, page footer)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit.io import read_text
from toolkit.model import Document
from toolkit.parse import parse_text, read_document

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "tucker_lavrov.txt"
GOLDEN = ROOT / "tests" / "fixtures" / "parse" / "tucker_lavrov_turns.json"


@pytest.fixture(scope="module")
def doc() -> Document:
    return read_document(SEED)


def test_seed_turn_count_and_layout(doc: Document) -> None:
    assert doc.kind == "transcript"
    assert doc.layout == "name-bracket-time"
    assert doc.encoding == "utf-8"
    assert doc.line_count == 225
    assert len(doc.turns) == 87


def test_seed_first_and_last_turn(doc: Document) -> None:
    first, last = doc.turns[0], doc.turns[-1]
    assert (first.speaker, first.start_ms, first.line) == ("Tucker", 0, 47)
    assert first.text.startswith("Minister Lavrov, thank you for doing this.")
    assert (last.speaker, last.start_ms, last.line) == ("Sergey Lavrov", 4_875_000, 219)
    assert last.text == "Thank you."


def test_seed_page_text_reported(doc: Document) -> None:
    p001 = [f for f in doc.findings if f.code == "P001"]
    assert [(f.data["first_line"], f.data["last_line"]) for f in p001] == [(1, 46), (221, 225)]
    assert "NON-NATO NEUTRALITY" in p001[0].data["text"]
    assert p001[1].data["text"] == (
        "Your comments are welcome\nUse Textile help to style your comments\nSuggested products"
    )
    assert [f.code for f in doc.findings] == ["P001", "P001"]


def test_seed_article_quote_is_not_a_turn(doc: Document) -> None:
    assert all(t.line >= 47 for t in doc.turns)
    assert not any("NON-NATO" in t.text or "LAND CONCESSIONS" in t.text for t in doc.turns)
    quoting = [t.line for t in doc.turns if "Absolutely no military bases" in t.text]
    assert quoting == [133]  # Lavrov's real answer, not the article's quote on line 15
    assert not any("Your comments" in t.text or "Suggested products" in t.text for t in doc.turns)


def test_seed_matches_golden(doc: Document) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert [[t.speaker, t.start_ms, t.line, len(t.text)] for t in doc.turns] == golden


def test_seed_matches_an_independent_reading() -> None:
    """Every `Name [HH:MM:SS] text` line, read by a plain regex, is exactly one turn."""
    pattern = re.compile(r"^([A-Z][A-Za-z ]+?) \[(\d\d):(\d\d):(\d\d)\] (.*)$")
    text, _ = read_text(SEED)
    expected = []
    for n, line in enumerate(text.split("\n"), start=1):
        m = pattern.match(line)
        if m:
            ms = ((int(m[2]) * 60 + int(m[3])) * 60 + int(m[4])) * 1000
            expected.append((m[1], ms, n, m[5].strip()))
    doc = parse_text(text, path=str(SEED))
    assert [(t.speaker, t.start_ms, t.line, t.text) for t in doc.turns] == expected


def test_seed_speakers_as_written(doc: Document) -> None:
    # variants are kept as written; the repair stage merges "Lavrov" into "Sergey Lavrov"
    assert {t.speaker for t in doc.turns} == {"Tucker", "Sergey Lavrov", "Lavrov"}


def test_seed_crlf_and_bom_give_the_same_turns(doc: Document) -> None:
    data = SEED.read_bytes()
    crlf = "\ufeff" + data.decode("utf-8").replace("\n", "\r\n")
    again = parse_text(crlf, path=str(SEED))
    assert again.turns == doc.turns
