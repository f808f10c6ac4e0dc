"""A reworded copy of one speaker's sentences glued to another speaker's turn is removed whole; the
seed's own repeats (echoes, "No, NATO." said by both) all stay."""

from __future__ import annotations

from pathlib import Path

from toolkit.parse import parse_text
from toolkit.pipeline import ConvertOptions, convert_document

SEED = Path(__file__).resolve().parents[1] / "samples" / "tucker_lavrov.txt"
# Tucker's 00:20:30 turn, commas dropped, "United States" changed to "US", "hundreds of" left out
COPY = (
    "If I just go back to the question of nuclear exchange. So there is no mechanism by which the leaders "
    "of Russia and the US can speak to each other to avoid the kind of misunderstanding that could kill "
    "millions of people."
)


def _convert(text: str) -> tuple[dict[int, tuple[str | None, str]], list[str]]:
    result = convert_document(parse_text(text, path="seed.txt"), ConvertOptions())
    turns = {t.source_start_ms or t.start_ms or 0: (t.speaker, t.text) for t in result.turns}
    return turns, [f.message for f in result.findings if f.code == "T002"]


def test_a_reworded_copy_glued_to_another_speakers_turn_is_removed_whole() -> None:
    seed = SEED.read_text(encoding="utf-8")
    pasted = seed.replace(
        "Sergey Lavrov [00:21:28] Well, it was.", f"Sergey Lavrov [00:21:28] {COPY} Well, it was."
    )
    assert pasted != seed
    turns, removed = _convert(pasted)
    assert turns[1_288_000] == ("Sergey Lavrov", "Well, it was. It was a test launch, you know.")
    assert turns[1_230_000][0] == "Tucker" and turns[1_230_000][1].startswith("If I just go back")
    assert any("If I just go back" in m and "kept the first copy" in m for m in removed)


def test_the_seed_keeps_its_own_repeats() -> None:
    turns, removed = _convert(SEED.read_text(encoding="utf-8"))
    assert len(removed) == 3  # the repeated exchange near 00:43, and nothing else
    text = " ".join(t for _, t in turns.values())
    assert text.count("No, NATO.") == 2
