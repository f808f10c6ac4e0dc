"""Duplicate runs on small hand-made transcripts with known answers."""

from __future__ import annotations

from toolkit.model import Document, Turn
from toolkit.repair import repair
from toolkit.repair.duplicates.run_pairs import _containment

FIRST = (
    "We asked for the results of the test to be given to us. They said no, we gave it to the organisation. "
    "Please. As a professional. As professional people. No answer. "
    "The plane landed. He was treated by the Russian doctors in Siberia. "
    "They said the Germans told us not to give it to you. "
)
# the copy: small changes that merge two sentences ("landed he was"), one word of nine replaced at the end
COPY = (
    FIRST.replace("Please. ", "Please... ")
    .replace("No answer.", "no answer.")
    .replace("The plane landed. He was", "The plane landed he was")
)


def test_reworded_last_sentence_pairs_with_its_original() -> None:
    """A copied exchange (a long answer, then a short question) repeated 57 s later. The copy's last sentence
    has one word replaced by a longer one, and one sentence fewer, so its sentences are paired one by one by
    containment: the reworded sentence must pair with its original (by ratio), not with an unrelated longer
    sentence that merely scores a weak partial match. Paired wrongly, the run stopped before the question,
    and the copied question was left in (seed 410235021 case 5 of the damage property test)."""
    rows = [
        ("Tucker", 0, "What did the Germans say about the poisoning?"),
        ("Lavrov", 4, FIRST + "So it seems that this this secret is not going."),
        ("Tucker", 40, "So how did Navalny die?"),
        ("Lavrov", 57, COPY + "So it seems that this marastgra secret is not going."),
        ("Tucker", 97, "so how did navalny die?"),
        ("Lavrov", 43, "Well, he died serving his term in Russia, and every now and then he felt unwell."),
        ("Tucker", 60, "How do you think he died?"),
    ]
    turns = tuple(Turn(s, t * 1000, x, 2 * i + 1) for i, (s, t, x) in enumerate(rows))
    result = repair(Document("t.txt", "transcript", turns, layout="name-bracket-time"))
    assert [t.line for t in result.turns] == [1, 3, 5, 11, 13]
    assert [(c.kind, c.lines, c.kept_line) for c in result.changes] == [
        ("duplicate", (7,), 3),
        ("duplicate", (9,), 5),
    ]
    again = repair(Document("t.txt", "transcript", result.turns, layout="name-bracket-time"))
    assert again.changes == ()


def test_containment_ignores_weak_partial_matches() -> None:
    copy = "so it seems that this marastgra secret is not going"
    original = "so it seems that this this secret is not going"
    unrelated = "they said the germans told us not to give it to you"
    assert max((unrelated, original), key=lambda o: _containment(copy, o)) == original
    # a sentence really contained in a longer one still ranks first
    merged = "the plane landed he was treated by the russian doctors in siberia"
    assert max(("the plane landed", merged), key=lambda o: _containment("he was treated by the", o)) == merged


def test_a_lone_sentence_like_another_is_not_a_duplicate() -> None:
    """Same speaker, same sentence frame, other facts: four words of sixteen differ, none a typo of the
    other. Alone (no run of copied sentences around it) that is a new sentence, not a copy; with one word
    garbled it is still a copy. (make_interview.py's generated answers repeat such frames.)"""
    frame = "Well, it started {} years ago, when a few of us met at the {}."
    rows = [
        ("B", 105, "The funny thing is that nobody planned it. " + frame.format("seven", "town hall")),
        ("A", 125, "How did you first get involved with the new ferry service?"),
        ("B", 129, "We keep the prices low for everybody. " + frame.format("forty", "school gym")),
        ("A", 153, "What happens next?"),
        ("B", 156, "More of the same. " + frame.format("seven", "town wall")),
    ]
    turns = tuple(Turn(s, t * 1000, x, 2 * i + 1) for i, (s, t, x) in enumerate(rows))
    result = repair(Document("t.txt", "transcript", turns, layout="name-bracket-time"))
    assert "forty years ago" in result.turns[2].text
    assert [(c.kind, c.lines) for c in result.changes if c.kind == "duplicate"] == [("duplicate", (9,))]
    assert "town wall" not in result.turns[4].text


def test_a_sentence_two_speakers_say_stays_twice() -> None:
    """A read-aloud sentence said by one speaker and, a little later, by another, each among their own
    words: the turns' timestamps leave room for it both times, so neither copy is a paste and both stay.
    Where the second speaker's turn has no time for it, the copy glued to the end of that turn goes."""
    said = "She had your dark suit in greasy wash water all year."
    rows = [
        ("Fiona", 120, "Don't ask me to carry an oily rag like that. No one pointed out the cost."),
        ("Colin", 127, "Should giraffes be kept in small zoos?"),
        ("Fiona", 131, said + " The two artists exchanged autographs."),
        ("Colin", 138, "Where were you while we were away?"),
        ("Faith", 141, "Those answers will be straightforward if you think them through first. " + said),
        ("Marcus", 150, "Norwegian sweaters are made of lamb's wool."),
    ]
    turns = tuple(Turn(s, t * 1000, x, 2 * i + 1) for i, (s, t, x) in enumerate(rows))
    result = repair(Document("t.txt", "transcript", turns, layout="name-bracket-time"))
    assert result.changes == ()
    assert [t.text for t in result.turns] == [x for _, _, x in rows]
    # the same, with Faith's turn 4 s long: her copy cannot be said there, so it is a paste
    rows[5] = ("Marcus", 145, rows[5][2])
    turns = tuple(Turn(s, t * 1000, x, 2 * i + 1) for i, (s, t, x) in enumerate(rows))
    result = repair(Document("t.txt", "transcript", turns, layout="name-bracket-time"))
    assert [(c.kind, c.lines, c.kept_line) for c in result.changes] == [("duplicate", (9,), 5)]
    assert result.turns[4].text == "Those answers will be straightforward if you think them through first."
