"""Word-level forced alignment of transcript turns to the media's audio, offline.

    from toolkit.align import align_turns
    turns, findings = align_turns(turns, audio, sample_rate=16000, speech=mask, rates=rates, path=path)

The default engine is pocketsphinx with the English model inside its PyPI wheel (no download, no apt).
Another engine implements :class:`~toolkit.align.aligner.Aligner` and is passed as ``engine=``; the
aligner's tuning is one :class:`AlignParams`, passed as ``params=``.
"""

from __future__ import annotations

from .aligner import Aligner, TokenTiming
from .g2p import g2p
from .normalize import Token, normalize, spoken_words
from .tuning import AlignParams
from .turns import align_turns

__all__ = [
    "AlignParams",
    "Aligner",
    "Token",
    "TokenTiming",
    "align_turns",
    "g2p",
    "normalize",
    "spoken_words",
]
