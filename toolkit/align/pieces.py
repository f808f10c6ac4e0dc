"""A turn's spoken tokens as the pieces the English aligner fits in one window each: the whole turn, or
chunks of whole sentences when the turn is long (cost stays linear in the media length, memory bounded
by one window), and the two halves of a piece no window could align.

First step of aligning a turn (:mod:`toolkit.align.turns`); the window search
(:mod:`toolkit.align.window_search`), the fit measures and recovery work on one :class:`Piece` at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..model import Turn
from ..text import is_phrase_end, is_phrase_mark, is_sentence_end
from .aligner import Aligner
from .normalize import Token
from .run import Limits

__all__ = ["Piece", "halves", "spoken_starts", "turn_pieces", "whole_turn"]


@dataclass(slots=True)
class Piece:
    """A run of spoken tokens aligned in one window (a whole turn or a chunk of a long one)."""

    tokens: list[str]
    phones: list[int]
    sentence_starts: list[int]  # token indices where a sentence starts (always includes 0)
    next_hint_ms: int | None  # where the next piece is expected to start, if the transcript says
    hint_ms: int | None
    bound: tuple[int, int] | None = None  # where the piece's first word may lie (a turn's first piece)
    next_bound: tuple[int, int] | None = None  # the same for the next turn's first word (its last piece)
    phrase_starts: tuple[int, ...] = ()  # token indices after a comma, colon, semicolon or dash


def whole_turn(
    engine: Aligner, turn: Turn, tokens: list[Token], next_hint: int | None, limits: Limits
) -> Piece:
    """The turn's spoken tokens as one piece: their phones, sentence and phrase starts, the turn's stamp
    and ranges (the turn loop's checks after alignment read it too)."""
    spoken = [s for tok in tokens for s in tok.spoken]
    sentence_starts, phrase_starts = spoken_starts(tokens)
    phones = [engine.phone_count(t) for t in spoken]
    return Piece(spoken, phones, sentence_starts, next_hint, turn.start_ms, *limits, phrase_starts)


def turn_pieces(whole: Piece, mpp: float, max_chunk_speech_ms: int) -> list[Piece]:
    """The turn (``whole``, from :func:`whole_turn`) in chunks of whole sentences of about
    ``max_chunk_speech_ms`` of speech (at ``mpp`` ms per phone) when it is long."""
    spoken, phones, sentence_starts = whole.tokens, whole.phones, whole.sentence_starts
    if sum(phones) * mpp <= max_chunk_speech_ms * 1.5:
        return [whole]
    pieces: list[Piece] = []
    bounds = [*sentence_starts, len(spoken)]
    lo = 0
    acc = 0.0
    for a, b in itertools.pairwise(bounds):
        acc += sum(phones[a:b]) * mpp
        if acc >= max_chunk_speech_ms and b < len(spoken):
            pieces.append(_piece_of(whole, lo, b, None, whole.hint_ms if lo == 0 else None))
            lo, acc = b, 0.0
    pieces.append(_piece_of(whole, lo, len(spoken), whole.next_hint_ms, None if lo else whole.hint_ms))
    pieces[0] = replace(pieces[0], bound=whole.bound)
    pieces[-1] = replace(pieces[-1], next_bound=whole.next_bound)
    return pieces


def spoken_starts(tokens: Sequence[Token]) -> tuple[list[int], tuple[int, ...]]:
    """Where, among the spoken tokens, a sentence starts (always 0) and where a phrase inside one starts
    (after a comma, colon, semicolon or dash, on a word or standing alone: "it - the thing - works");
    each index names a spoken token."""
    sentences, phrases = [0], []
    k = 0
    for tok in tokens:
        k += len(tok.spoken)
        if tok.spoken and is_sentence_end(tok.text):
            sentences.append(k)
        elif k and (is_phrase_end(tok.text) if tok.spoken else is_phrase_mark(tok.text)):
            phrases.append(k)
    at = set(s for s in sentences if s < k)
    return sorted(at), tuple(sorted(set(p for p in phrases if p < k and p not in at)))


def halves(piece: Piece) -> tuple[Piece, Piece]:
    """The piece cut in two at its middle sentence start (it must have two sentences): the first half
    keeps the piece's start (timestamp, range), the second its end (the next piece's)."""
    mid = piece.sentence_starts[len(piece.sentence_starts) // 2]
    first = replace(_piece_of(piece, 0, mid, None, piece.hint_ms), bound=piece.bound)
    second = replace(
        _piece_of(piece, mid, len(piece.tokens), piece.next_hint_ms, None), next_bound=piece.next_bound
    )
    return first, second


def _piece_of(whole: Piece, lo: int, hi: int, nh: int | None, h: int | None) -> Piece:
    """Tokens ``lo:hi`` of ``whole`` as a piece of their own (without its ranges)."""
    return Piece(
        whole.tokens[lo:hi],
        whole.phones[lo:hi],
        [s - lo for s in whole.sentence_starts if lo <= s < hi],
        nh,
        h,
        phrase_starts=tuple(s - lo for s in whole.phrase_starts if lo <= s < hi),
    )
