"""Damage property tests: clean transcripts + random damage -> repair -> the clean transcript again.

Clean transcripts are slices of the repaired seed interview and synthetic interviews (random sentences,
speakers alternating, timestamps from per-speaker rates, legitimate short repeats such as "Yes."). The
damage generator applies one of the issue's breakages to each:

    dup_run   a run of 1-3 turns repeated right after itself, stamps shifted, wording slightly changed
    glue      a sentence repeated (slightly changed) at the end of a later turn of the same speaker
    move      a block of 1-3 turns pasted elsewhere
    corrupt   one timestamp mistyped (swapped digits, minutes/seconds swapped, one digit, hour)
    shift     a run of 2-5 turns shifted by a constant so the timeline goes backwards at one end
    speaker   a speaker written differently in a few turns (short form, capitals, a typo)
    missing   a turn without a timestamp

Each Hypothesis example checks CASES_PER_EXAMPLE transcripts (the default, 150 x 8 = 1200 cases; set
CAPTIONKIT_DAMAGE_EXAMPLES to run more). Every case must keep the guarantees (timestamps set and never
backwards, nothing lost, idempotent); duplicates, glued sentences, speaker variants and missing timestamps
must come back exactly as the clean transcript. Timing damage (moved blocks, typos, shifted runs) is
measured as a recovery rate over a fixed batch, because some of those cases have two equally good answers.
"""

from __future__ import annotations

import os
import random
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from toolkit.model import Document, Turn
from toolkit.parse import read_document
from toolkit.repair import RepairResult, repair
from toolkit.repair.sentences import split_sentences, words_of
from toolkit.timing import count_words

EXAMPLES = int(os.environ.get("CAPTIONKIT_DAMAGE_EXAMPLES", "150"))
CASES_PER_EXAMPLE = 8
RATE_SEEDS = int(os.environ.get("CAPTIONKIT_DAMAGE_RATE_SEEDS", "60"))  # x 8 cases, about 4/7 of them timing
SEED = Path(__file__).resolve().parent.parent / "samples" / "tucker_lavrov.txt"
SPEAKER_SETS = (
    ("Tucker Carlson", "Sergey Lavrov"),
    ("Maria Zakharova", "John Smith"),
    ("Anna Petrova", "Richard Miller", "Sophie Turner"),
)
SHORT = ("Yes.", "No.", "I don't know.", "Right.", "Not at all.", "Okay.")


def _vocabulary() -> tuple[str, ...]:
    rng = random.Random(12345)
    syll = ["ka", "lo", "ri", "ten", "mar", "sel", "du", "vo", "pin", "ast", "ber", "nu", "cho", "gra", "li"]
    words = {"".join(rng.choice(syll) for _ in range(rng.randint(1, 3))) for _ in range(2000)}
    return tuple(sorted(words))


VOCAB = _vocabulary()


def _sentence(rng: random.Random) -> str:
    words = rng.sample(VOCAB, rng.randint(4, 16))
    return " ".join(words).capitalize() + rng.choice(".?.")


def synthetic(rng: random.Random) -> list[Turn]:
    names = rng.choice(SPEAKER_SETS)
    wps = {n: rng.uniform(1.8, 3.0) for n in names}
    t = rng.randint(0, 3600) * 1000
    turns: list[Turn] = []
    speaker = 0
    for i in range(rng.randint(10, 24)):
        if i and rng.random() > 0.1:
            speaker = (speaker + rng.randint(1, len(names) - 1)) % len(names)
        name = names[speaker]
        if i and rng.random() < 0.15:
            text = rng.choice(SHORT)
        else:
            text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
        turns.append(Turn(name, t, text, 2 * i + 1))
        t += round(count_words(text) / wps[name] * rng.uniform(0.9, 1.15) + rng.uniform(0.3, 1.5)) * 1000
    return turns


@cache
def _seed_clean() -> tuple[Turn, ...]:
    return repair(read_document(SEED)).turns


def seed_slice(rng: random.Random) -> list[Turn]:
    turns = _seed_clean()
    n = rng.randint(10, 24)
    k = rng.randint(0, len(turns) - n)
    return [replace(t, source_start_ms=None, line=2 * i + 1) for i, t in enumerate(turns[k : k + n])]


# -- damage --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Case:
    kind: str
    clean: list[Turn]
    damaged: list[Turn]
    index: int = -1  # the turn whose time may legitimately differ (corrupt, missing)
    span: tuple[int, int] = (0, 0)  # turns whose times may differ (shift)


def _renumber(turns: Sequence[Turn]) -> list[Turn]:
    return [replace(t, line=2 * i + 1) for i, t in enumerate(turns)]


def _reword(rng: random.Random, text: str) -> str:
    """Small changes that keep a sentence the same: case, punctuation, Kiev/Kyiv, one word of ten."""
    out = []
    for s in split_sentences(text):
        piece = s.text
        words = piece.split()
        r = rng.random()
        if r < 0.25 and len(words) >= 10:
            words[rng.randrange(1, len(words))] = rng.choice(VOCAB)
            piece = " ".join(words)
        elif r < 0.45:
            piece = piece.lower()
        elif r < 0.6:
            piece = piece.rstrip(".?!") + rng.choice(["", "!", "..."])
        out.append(piece.replace("Kiev", "Kyiv"))
    return " ".join(out)


def _anchor_words(text: str) -> int:
    return sum(len(s.words) for s in split_sentences(text) if len(s.words) >= 4)


def dup_run(rng: random.Random, clean: list[Turn]) -> Case | None:
    n = len(clean)
    for _ in range(20):
        length = rng.randint(1, 3)
        i = rng.randrange(0, n - length + 1)
        run = clean[i : i + length]
        if sum(_anchor_words(t.text) for t in run) < 10:
            continue
        d = rng.randint(3, 60) * 1000
        copy = [replace(t, text=_reword(rng, t.text), start_ms=(t.start_ms or 0) + d) for t in run]
        return Case("dup_run", clean, _renumber([*clean[: i + length], *copy, *clean[i + length :]]))
    return None


def glue(rng: random.Random, clean: list[Turn]) -> Case | None:
    n = len(clean)
    for _ in range(20):
        i = rng.randrange(n)
        long = [s for s in split_sentences(clean[i].text) if len(s.words) >= 10]
        later = [k for k in range(i + 1, min(n, i + 7)) if clean[k].speaker == clean[i].speaker]
        if not long or not later:
            continue
        k = rng.choice(later)
        damaged = list(clean)
        damaged[k] = replace(clean[k], text=clean[k].text + " " + _reword(rng, rng.choice(long).text))
        return Case("glue", clean, damaged)
    return None


def move(rng: random.Random, clean: list[Turn]) -> Case | None:
    n = len(clean)
    for _ in range(20):
        length = rng.randint(1, 3)
        i = rng.randrange(0, n - length + 1)
        block = clean[i : i + length]
        if sum(count_words(t.text) for t in block) < 25:
            continue
        rest = clean[:i] + clean[i + length :]
        q = rng.randrange(0, len(rest) + 1)
        if abs(q - i) < 2:
            continue
        return Case("move", clean, _renumber([*rest[:q], *block, *rest[q:]]))
    return None


def _typos(ms: int, rng: random.Random) -> list[int]:
    h, rem = divmod(ms // 1000, 3600)
    m, s = divmod(rem, 60)
    d = f"{h:02d}{m:02d}{s:02d}"
    out = []
    for k in range(5):
        out.append(d[:k] + d[k + 1] + d[k] + d[k + 2 :])
    out.append(f"{h:02d}{s:02d}{m:02d}")
    k = rng.randrange(6)
    out.append(d[:k] + rng.choice(string.digits) + d[k + 1 :])
    out.append(f"{max(0, h - 1):02d}{m:02d}{s:02d}")
    out.append(f"{h + 1:02d}{m:02d}{s:02d}")
    values = []
    for x in out:
        hh, mm, ss = int(x[:2]), int(x[2:4]), int(x[4:])
        if mm < 60 and ss < 60:
            values.append(((hh * 60 + mm) * 60 + ss) * 1000)
    rng.shuffle(values)
    return values


def corrupt(rng: random.Random, clean: list[Turn]) -> Case | None:
    n = len(clean)
    for _ in range(20):
        i = rng.randrange(n)
        lo = clean[max(0, i - 2)].start_ms or 0
        hi = clean[min(n - 1, i + 2)].start_ms or 0
        if i in (0, n - 1):  # at the ends only a backwards timestamp is evidence
            lo, hi = (0, hi) if i == 0 else (lo, 10**9)
        bad = [v for v in _typos(clean[i].start_ms or 0, rng) if not lo <= v <= hi]
        if bad:
            damaged = list(clean)
            damaged[i] = replace(clean[i], start_ms=bad[0])
            return Case("corrupt", clean, damaged, index=i)
    return None


def shift(rng: random.Random, clean: list[Turn]) -> Case | None:
    n = len(clean)
    for _ in range(20):
        length = rng.randint(2, 5)
        i = rng.randrange(1, n - length)
        j = i + length - 1
        if n - length < 2 * length + 2:
            continue
        if rng.random() < 0.5:  # later: the turn after the run goes backwards
            d = (clean[j + 1].start_ms or 0) - (clean[i].start_ms or 0) + rng.randint(30, 300) * 1000
        else:  # earlier: the run's first turn goes backwards
            d = -((clean[j].start_ms or 0) - (clean[i - 1].start_ms or 0) + rng.randint(30, 300) * 1000)
            if (clean[i].start_ms or 0) + d < 0:
                continue
        damaged = [
            replace(t, start_ms=(t.start_ms or 0) + d) if i <= k <= j else t for k, t in enumerate(clean)
        ]
        return Case("shift", clean, damaged, span=(i, j))
    return None


def speaker(rng: random.Random, clean: list[Turn]) -> Case | None:
    names = Counter(t.speaker for t in clean if t.speaker)
    name = rng.choice(sorted(names))
    idx = [k for k, t in enumerate(clean) if t.speaker == name]
    if len(idx) < 2:  # a name written only as a variant cannot be recognised
        return None
    first, *rest = name.split()
    variants = [name.upper()]
    if rest:
        variants.append(rest[-1])  # the short form
    if len(first) >= 5 and len(idx) >= 4:
        typo = first[:2] + ("i" if first[2] != "i" else "e") + first[3:]
        variants.append(" ".join([typo, *rest]))
    variant = rng.choice(variants)
    if variant == name.upper() and len(idx) < 2:
        return None
    count = max(1, len(idx) // 4) if variant != name.upper() else rng.randint(1, len(idx) - 1)
    chosen = set(rng.sample(idx, count))
    damaged = [replace(t, speaker=variant) if k in chosen else t for k, t in enumerate(clean)]
    return Case("speaker", clean, damaged)


def missing(rng: random.Random, clean: list[Turn]) -> Case | None:
    i = rng.randrange(1, len(clean))
    damaged = list(clean)
    damaged[i] = replace(clean[i], start_ms=None)
    return Case("missing", clean, damaged, index=i)


DAMAGE: dict[str, Callable[[random.Random, list[Turn]], Case | None]] = {
    "dup_run": dup_run,
    "glue": glue,
    "move": move,
    "corrupt": corrupt,
    "shift": shift,
    "speaker": speaker,
    "missing": missing,
}


# -- checks --------------------------------------------------------------------------------------------
def _repair(turns: Sequence[Turn]) -> RepairResult:
    return repair(Document("damaged.txt", "transcript", tuple(turns), layout="name-bracket-time"))


def _check_guarantees(case: Case, result: RepairResult) -> None:
    starts = [t.start_ms for t in result.turns]
    assert all(s is not None for s in starts), "a turn without a start"
    assert starts == sorted(starts), "timestamps go backwards"  # type: ignore[type-var]
    kept = Counter(w for t in result.turns for w in words_of(t.text))
    removed = Counter(w for c in result.changes if c.kind == "duplicate" for w in words_of(c.text))
    assert kept + removed == Counter(w for t in case.damaged for w in words_of(t.text)), "words lost"
    for c in result.changes:
        assert c.lines, c
        if c.kind == "duplicate":
            assert c.kept_line in {t.line for t in case.damaged}
    again = _repair(result.turns)
    assert again.changes == () and again.turns == result.turns, "not idempotent"


def _check_against_clean(case: Case, result: RepairResult) -> None:
    got = [(t.speaker, t.text) for t in result.turns]
    want = [(t.speaker, t.text) for t in case.clean]
    assert got == want, f"{case.kind}: text/speaker sequence differs"
    clean_t = [t.start_ms or 0 for t in case.clean]
    got_t = [t.start_ms or 0 for t in result.turns]
    last = len(clean_t) - 1
    for k, (g, w) in enumerate(zip(got_t, clean_t, strict=True)):
        if case.kind == "shift" and case.span[0] <= k <= case.span[1]:
            lo, hi = clean_t[max(0, case.span[0] - 1)], clean_t[min(last, case.span[1] + 1)]
        elif k == case.index:
            lo, hi = clean_t[max(0, k - 1)], clean_t[min(last, k + 1)]
        else:
            assert g == w, f"{case.kind}: turn {k} at {g}, clean {w}"
            continue
        # at the ends only the rate model bounds an estimate: within 60 % of the gap (+5 s)
        if k == 0 and k != last:
            assert g <= hi and abs(g - w) <= 0.6 * (hi - w) + 5000, f"{case.kind}: first at {g}, clean {w}"
        elif k == last:
            assert g >= lo and abs(g - w) <= 0.6 * (w - lo) + 5000, f"{case.kind}: last at {g}, clean {w}"
        else:
            assert lo <= g <= hi, f"{case.kind}: turn {k} at {g} outside {lo}..{hi}"
            assert abs(g - w) <= 0.5 * (hi - lo) + 3000, f"{case.kind}: turn {k} at {g}, clean {w}"


TIMING = frozenset({"corrupt", "shift", "move", "missing"})
SEED_JUMP = (2_570_000, 2_627_000)  # 00:42:50 -> 00:43:47, the seed's own jump (reported, not corrected)


def _crosses_seed_jump(turns: Sequence[Turn]) -> bool:
    """A slice of the seed around its own 37 s time-base jump: a second timing damage there has no one
    right answer (the jump itself is left for media sync), so timing damage avoids it."""
    starts = {t.start_ms for t in turns}
    return all(s in starts for s in SEED_JUMP) and len({t.speaker for t in turns}) > 1


def _cases(seed: int) -> list[Case]:
    rng = random.Random(seed)
    out: list[Case] = []
    kinds = sorted(DAMAGE)
    while len(out) < CASES_PER_EXAMPLE:
        kind = rng.choice(kinds)
        clean = seed_slice(rng) if rng.random() < 0.3 else synthetic(rng)
        if kind in TIMING and _crosses_seed_jump(clean):
            continue
        case = DAMAGE[kind](rng, clean)
        if case is not None:
            out.append(case)
    return out


EXACT = frozenset({"dup_run", "glue", "speaker", "missing"})  # always recovered exactly
RECOVERY_RATE = {"move": 0.98, "corrupt": 0.98, "shift": 0.97}  # some cases have two equally good answers


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
@example(410235021)  # dup_run: a reworded sentence paired with the wrong original, the run cut short
@example(191972974)  # dup_run: the same, a remnant sentence left and removed only on a second pass
@example(861205897)  # glue: "de-escalate" reworded as one word, once counted as two changes (a new sentence)
@example(2877)  # corrupt: a turn "moved" next to itself (its stamp clamped), retimed on a 2nd pass
@example(1135374)  # dup_run: the copied exchange's middle turn, reworded past every anchor, kept apart
def test_damage_is_repaired(seed: int) -> None:
    """Every case keeps the guarantees; text damage and missing timestamps are recovered exactly."""
    for k, case in enumerate(_cases(seed)):
        result = _repair(case.damaged)
        try:
            _check_guarantees(case, result)
            if case.kind in EXACT:
                _check_against_clean(case, result)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed} case {k} ({case.kind}): {exc}") from None


def test_timing_damage_recovery_rate() -> None:
    """Moved blocks, mistyped timestamps and shifted runs, over a fixed batch of seeds: nearly all are
    recovered exactly (order, texts, timestamps); the rest still keep the guarantees (checked above).
    A moved block and a run on another time base can explain the same timestamps equally well."""
    total: Counter[str] = Counter()
    failed: dict[str, list[str]] = {}
    for seed in range(RATE_SEEDS):
        for k, case in enumerate(_cases(10_000 + seed)):
            if case.kind not in RECOVERY_RATE:
                continue
            total[case.kind] += 1
            result = _repair(case.damaged)
            _check_guarantees(case, result)
            try:
                _check_against_clean(case, result)
            except AssertionError as exc:
                failed.setdefault(case.kind, []).append(f"seed {10_000 + seed} case {k}: {exc}")
    for kind, rate in RECOVERY_RATE.items():
        assert total[kind] >= 50
        ok = 1 - len(failed.get(kind, [])) / total[kind]
        assert ok >= rate, (kind, ok, failed.get(kind))


@settings(max_examples=max(20, EXAMPLES // 4), deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_clean_transcripts_are_left_alone(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(CASES_PER_EXAMPLE):
        clean = seed_slice(rng) if rng.random() < 0.3 else synthetic(rng)
        result = _repair(clean)
        assert result.changes == (), [c.reason for c in result.changes]
        assert [t.start_ms for t in result.turns] == [t.start_ms for t in clean]


def test_every_damage_kind_is_generated() -> None:
    rng = random.Random(7)
    kinds = Counter(c.kind for seed in range(40) for c in _cases(rng.randrange(10**9)))
    assert set(kinds) == set(DAMAGE)
