"""The timeline rules one by one, on small hand-made transcripts with known answers."""

from __future__ import annotations

from pathlib import Path

from toolkit.model import Document, Turn
from toolkit.parse import read_document
from toolkit.repair import RepairResult, repair
from toolkit.repair.order import longest_chain, typo_candidates

LAYOUTS = Path(__file__).resolve().parent.parent / "samples" / "layouts"
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
]


def _text(n: int, seed: int) -> str:
    """``n`` words that never repeat another turn's sentence."""
    words = [f"{WORDS[(seed + k) % len(WORDS)]}{seed}x{k // len(WORDS)}" for k in range(n)]
    return " ".join(words).capitalize() + "."


def _doc(rows: list[tuple[str, int | None, int]]) -> Document:
    """Rows of (speaker, start seconds or None, words)."""
    turns = tuple(
        Turn(spk, None if s is None else s * 1000, _text(n, i), 2 * i + 1)
        for i, (spk, s, n) in enumerate(rows)
    )
    return Document("t.txt", "transcript", turns, layout="name-bracket-time")


# An interview at 2.5 words/s: A asks 10 words (4 s), B answers 50 words (20 s).
def _clean(n: int = 12, start: int = 600) -> list[tuple[str, int | None, int]]:
    rows: list[tuple[str, int | None, int]] = []
    t = start
    for i in range(n):
        words = 10 if i % 2 == 0 else 50
        rows.append(("Anna" if i % 2 == 0 else "Boris", t, words))
        t += words * 2 // 5
    return rows


def _starts(r: RepairResult) -> list[int | None]:
    return [None if t.start_ms is None else t.start_ms // 1000 for t in r.turns]


def test_longest_chain() -> None:
    assert longest_chain([1, 2, 9, 3, 4]) == [0, 1, 3, 4]
    assert longest_chain([5, 5, 1, 6]) == [0, 1, 3]
    assert longest_chain([]) == []


def test_typo_candidates_include_swaps_and_hours() -> None:
    values = {v: kind for v, kind, _ in typo_candidates((31 * 60 + 14) * 1000)}
    assert values[(13 * 60 + 14) * 1000] == "swap"  # 00:31:14 for 00:13:14
    assert values[(60 + 31) * 60 * 1000 + 14000] == "hour"  # missing hour
    assert values[(14 * 60 + 31) * 1000] == "fields"


def test_swapped_digits_are_recognised() -> None:
    rows = _clean(start=13 * 60)
    good = rows[5][1] or 0
    minutes, seconds = divmod(good, 60)
    assert minutes == 13
    rows[5] = (rows[5][0], 31 * 60 + seconds, rows[5][2])  # 00:13:52 typed as 00:31:52
    r = repair(_doc(rows))
    assert _starts(r) == [s for _, s, _ in _clean(start=13 * 60)]
    (retime,) = [c for c in r.changes if c.kind == "retime"]
    assert retime.lines == (11,) and "probably a typo for 00:13:52 (two digits swapped)" in retime.reason
    assert [f.code for f in r.findings] == ["T007", "T001"]


def test_moved_block_goes_back_where_its_timestamps_belong() -> None:
    rows = _clean(16)
    moved = rows[:3] + rows[9:11] + rows[3:9] + rows[11:]
    r = repair(_doc(moved))
    assert _starts(r) == [s for _, s, _ in rows]
    (change,) = r.changes
    assert change.kind == "reorder" and change.lines == (7, 9)
    assert "T008" in {f.code for f in r.findings}


def test_shifted_run_is_shifted_back() -> None:
    rows = _clean(16)
    shifted = [
        (spk, s + 300 if 4 <= i <= 7 and s is not None else s, n) for i, (spk, s, n) in enumerate(rows)
    ]
    r = repair(_doc(shifted))
    assert _starts(r) == [s for _, s, _ in rows]
    (change,) = r.changes
    assert change.kind == "timebase" and change.lines == (9, 11, 13, 15)
    assert change.data["new_ms"][0] - change.data["old_ms"][0] == -300_000


def test_impossible_rate_is_reported_with_numbers() -> None:
    rows = _clean(8)
    rows[3] = ("Boris", rows[3][1], 612)  # 612 words in 20 s
    r = repair(_doc(rows))
    (t003,) = [f for f in r.findings if f.code == "T003"]
    assert t003.line == 7 and t003.data["words"] == 612 and t003.data["gap_ms"] == 20_000
    assert t003.data["expected_ms"] == 244_800 and t003.data["median_wps"] == 2.5
    assert t003.message == (
        "Boris speaks 612 words in 20 s (31 words/s; their median is 2.5); expected about 4 min 5 s"
    )


def test_one_wrong_timestamp_that_breaks_a_rate_is_retimed() -> None:
    rows = _clean(10)
    rows[4] = ("Anna", (rows[3][1] or 0) + 2, 10)  # 2 s after a 50-word answer started: far too early
    r = repair(_doc(rows))
    starts, clean = _starts(r), [s for _, s, _ in _clean(10)]
    assert starts[:4] == clean[:4] and starts[5:] == clean[5:]
    assert 644 <= (starts[4] or 0) <= 652  # 00:10:48 estimated, or 00:10:50 as a typo of 00:10:30
    assert {f.code for f in r.findings} >= {"T003", "T007"}


def test_missing_timestamps_are_estimated() -> None:
    rows = _clean(8)
    rows[3] = ("Boris", None, 50)
    rows[0] = ("Anna", None, 10)
    r = repair(_doc(rows))
    starts = _starts(r)
    assert starts[3] == (_clean(8)[3][1])
    assert starts[0] == _clean(8)[0][1]
    assert [c.kind for c in r.changes] == ["missing-timestamp", "missing-timestamp"]
    assert [f.code for f in r.findings] == ["P004", "P004"]


def test_clean_interview_is_left_alone() -> None:
    r = repair(_doc(_clean(20)))
    assert r.changes == () and r.findings == ()


def test_past_media_end() -> None:
    r = repair(_doc(_clean(6)), duration_ms=650_000)
    assert [(f.code, f.line) for f in r.findings] == [("T006", 11)]  # 00:10:52 after 00:10:50


def test_slow_first_gap_is_reported_not_retimed() -> None:
    """A long gap at an edge is an intro or a pause as often as a typo: [0:05] stays, T003 reports it."""
    r = repair(read_document(LAYOUTS / "mixed_timestamps.txt"))
    assert r.turns[0].start_ms == 5000
    assert "retime" not in {c.kind for c in r.changes}
    assert "T007" not in {f.code for f in r.findings}
    (t003,) = [f for f in r.findings if f.code == "T003" and f.line == 1]
    assert t003.data["problem"] == "slow" and t003.data["gap_ms"] == 57_000 and t003.data["retimed"] is False


def test_fast_first_gap_is_retimed_as_a_typo() -> None:
    rows = _clean(12)[1:]  # Boris answers 50 words (20 s) first
    rows[0] = ("Boris", 624, 50)  # 00:10:04 typed as 00:10:24: 50 words in 0 s
    r = repair(_doc(rows))
    assert _starts(r) == [s for _, s, _ in _clean(12)[1:]]
    (retime,) = [c for c in r.changes if c.kind == "retime"]
    assert retime.lines == (1,) and "probably a typo for 00:10:04 (one digit mistyped)" in retime.reason
    assert [(f.code, f.data.get("problem")) for f in r.findings] == [("T003", "fast"), ("T007", None)]


def test_durations_in_messages_read_right() -> None:
    from toolkit.repair.changes import duration_text

    assert [duration_text(ms) for ms in (0, 400, 949, 950, 37_000, 322_000, 3_720_000)] == [
        "0.0 s",
        "0.4 s",
        "0.9 s",
        "1 s",
        "37 s",
        "5 min 22 s",
        "1 h 02 min",
    ]


def test_shifts_in_one_pass_equal_shifts_one_by_one() -> None:
    """blocks._shift_turns composes the time-base shifts (x -> max(0, x + s)) instead of a pass per shift."""
    import random

    from toolkit.model import Turn
    from toolkit.repair.order.blocks import _shift_turns

    class State:  # what _shift_turns uses of a TimelineState
        def __init__(self, turns: list[Turn]) -> None:
            self.turns = turns

        def at(self, t: Turn, ms: int) -> Turn:
            return t.retimed(ms)

    rng = random.Random(3)
    for _ in range(300):
        n = rng.randint(1, 30)
        turns = [
            Turn("A", rng.choice([None, rng.randint(0, 90_000)]), f"t{i}.", line=i + 1) for i in range(n)
        ]
        shifts = [(rng.randrange(n), rng.randint(-60_000, 60_000)) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.7:
            shifts.sort(key=lambda s: s[0])  # the usual order; the other is the one-by-one path
        naive = list(turns)
        for start, shift in shifts:
            for i in range(start, n):
                t = naive[i]
                if t.start_ms is not None:
                    naive[i] = t.retimed(max(0, t.start_ms + shift))
        state = State(list(turns))
        _shift_turns(state, shifts)  # type: ignore[arg-type]
        assert state.turns == naive
