"""Speaker variants: one person written several ways is merged; two people never are."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import ParseError
from toolkit.model import Document, Turn
from toolkit.repair import repair
from toolkit.repair.speakers import load_speaker_map, name_tokens, plan_speakers


def _labels(*names: str) -> list[tuple[str | None, int]]:
    return [(n, 2 * i + 1) for i, n in enumerate(names)]


def _merged(*names: str, mapping: dict[str, str] | None = None) -> dict[str, str]:
    return plan_speakers(_labels(*names), mapping)[0]


def test_lavrov_variants_are_one_speaker() -> None:
    got = _merged(
        "Tucker",
        "Sergey Lavrov",
        "Tucker",
        "Lavrov",
        "Tucker",
        "SERGEY LAVROV",
        "Tucker",
        "Sergei Lavrov",
        "Tucker",
        "Sergey Lavrov",
    )
    full = "Sergey Lavrov"
    assert got == {"Lavrov": full, "SERGEY LAVROV": full, "Sergei Lavrov": full}


def test_rules_are_reported_per_variant() -> None:
    names = ("Tucker", "Sergey Lavrov", "Tucker", "Lavrov", "Tucker", "SERGEY LAVROV", "Tucker")
    _, merges = plan_speakers(_labels(*names, "Sergei Lavrov", "Tucker", "Sergey Lavrov"))
    assert [(m.variant, m.rule, m.lines) for m in merges] == [
        ("Lavrov", "short-form", (7,)),
        ("SERGEY LAVROV", "spelling", (11,)),
        ("Sergei Lavrov", "typo", (15,)),
    ]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("Tucker", "Tucker Carlson", "Lavrov", "Tucker"), {"Tucker": "Tucker Carlson"}),
        # "Tucker" is in two longer names: ambiguous, nothing merged
        (("Tucker", "Tucker Carlson", "Lavrov", "Tucker Smith", "Lavrov"), {}),
        # two people sharing a first name, and the bare first name: never merged
        (("Sergey Lavrov", "Sergey Ivanov", "Sergey", "Sergey Lavrov", "Sergey Ivanov"), {}),
        # father and son
        (("Tucker Carlson", "Tucker Carlson Jr", "Tucker Carlson", "Tucker Carlson Jr"), {}),
        # short names one letter apart are different people
        (("Mark", "Mary", "Mark", "Mary"), {}),
        (("Dan Lee", "Don Lee", "Dan Lee", "Don Lee"), {}),
        # a one-letter typo of a frequent name
        (("Tucker", "Lavrov", "Tuckr", "Lavrov", "Tucker", "Lavrov"), {"Tuckr": "Tucker"}),
        # titles and initials
        (("Minister Lavrov", "Tucker", "Sergey Lavrov", "Tucker"), {"Minister Lavrov": "Sergey Lavrov"}),
        (("S. Lavrov", "Tucker", "Sergey Lavrov", "Tucker"), {"S. Lavrov": "Sergey Lavrov"}),
        (("Tucker", "tucker", "TUCKER ", "Tucker"), {"tucker": "Tucker", "TUCKER ": "Tucker"}),
        # identifiers that differ in their number are different people (AMI's FEE013 and FEE016)
        (("FEE016", "FEE013", "MEO015", "FEE013", "FEE016", "FEE016"), {}),
        (("Speaker 1", "Speaker 2", "Speaker 1", "Speaker 1"), {}),
        (("SPEAKER_01", "SPEAKER_02", "SPEAKER_01", "SPEAKER_01"), {}),
    ],
)
def test_merge_table(names: tuple[str, ...], expected: dict[str, str]) -> None:
    assert _merged(*names) == expected


def test_two_people_who_answer_each_other_are_not_merged() -> None:
    # "Tucker" and "Tucker Carlson" alternate: they are talking to each other
    assert _merged("Tucker", "Tucker Carlson", "Tucker", "Tucker Carlson", "Tucker") == {}


def test_mapping_overrides() -> None:
    names = ("Tucker", "Lavrov", "Tucker", "Sergey Lavrov")
    assert _merged(*names, mapping={"Lavrov": "Lavrov"}) == {}
    assert _merged(*names, mapping={"tucker": "Tucker Carlson"}) == {
        "Tucker": "Tucker Carlson",
        "Lavrov": "Sergey Lavrov",
    }
    got, merges = plan_speakers(_labels(*names), {"Sergey Lavrov": "Sergei Viktorovich Lavrov"})
    # the short form follows its full name into the mapped name
    assert got == {"Sergey Lavrov": "Sergei Viktorovich Lavrov", "Lavrov": "Sergei Viktorovich Lavrov"}
    assert {m.variant: m.rule for m in merges} == {"Sergey Lavrov": "mapping", "Lavrov": "short-form"}


def test_name_tokens() -> None:
    assert name_tokens("  Mr. SERGEY  Lavrov ") == ("sergey", "lavrov")
    assert name_tokens("Minister") == ("minister",)


def test_load_speaker_map(tmp_path: Path) -> None:
    j = tmp_path / "m.json"
    j.write_text('{"Lavrov": "Sergey Lavrov"}', encoding="utf-8")
    assert load_speaker_map(j) == {"Lavrov": "Sergey Lavrov"}
    t = tmp_path / "m.txt"
    t.write_text("# comment\nLavrov = Sergey Lavrov\nTUCKER -> Tucker Carlson\n", encoding="utf-8")
    assert load_speaker_map(t) == {"Lavrov": "Sergey Lavrov", "TUCKER": "Tucker Carlson"}
    bad = tmp_path / "bad.txt"
    bad.write_text("Lavrov\n", encoding="utf-8")
    with pytest.raises(ParseError) as err:
        load_speaker_map(bad)
    assert err.value.line == 1


TEXTS = [
    "Minister, thank you for doing this today.",
    "It is a pleasure to be speaking with you.",
    "What does Russia want from the negotiations?",
    "We have said it many times, and we repeat it.",
]


def test_repair_applies_and_reports_the_mapping() -> None:
    turns = tuple(
        Turn(spk, i * 10_000, text, 2 * i + 1)
        for i, (spk, text) in enumerate(zip(["Tucker", "Lavrov", "Tucker", "Lavrov"], TEXTS, strict=True))
    )
    result = repair(Document("t.txt", "transcript", turns), speakers={"Lavrov": "Sergey Lavrov"})
    assert [t.speaker for t in result.turns] == ["Tucker", "Sergey Lavrov", "Tucker", "Sergey Lavrov"]
    (change,) = result.changes
    assert change.kind == "speaker" and change.lines == (3, 7)
    assert [f.code for f in result.findings] == ["P005"]
