"""Line breaking: tokens of one cue into at most ``max_lines`` display lines (the guides in profiles.py).

Three parts, in the order they run: :mod:`.tokenizing` (words, bracketed annotations and CJK units as
tokens, and tokens joined as a line), :mod:`.costs` (how good a break between two tokens is:
:func:`break_cost`, which the segmenter also uses to choose where one cue ends and the next begins) and
:mod:`.lines` (the layout of one cue's tokens: :func:`break_lines`, a small dynamic programme preferring
balanced lines, bottom-heavy when they differ). Sits below the segmenter (:mod:`toolkit.segment`).
"""

from __future__ import annotations

from ..text import is_sentence_end
from .costs import TokenInfo, break_cost, cut_costs, cut_costs_by_id, pair_costs, token_info, token_key
from .lines import break_lines, break_span, count_lines
from .tokenizing import is_annotation, join_tokens, tokenize, tokenize_cjk

__all__ = [
    "TokenInfo",
    "break_cost",
    "break_lines",
    "break_span",
    "count_lines",
    "cut_costs",
    "cut_costs_by_id",
    "is_annotation",
    "is_sentence_end",
    "join_tokens",
    "pair_costs",
    "token_info",
    "token_key",
    "tokenize",
    "tokenize_cjk",
]
