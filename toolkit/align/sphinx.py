"""The pocketsphinx engine: offline English forced alignment with the model inside the PyPI wheel.

``Decoder(lm=None, bestpath=False)`` + ``set_align_text`` runs a Viterbi search over the fixed word
sequence with optional silences between words (what the ``pocketsphinx align`` command does). One decoder
is built per :class:`SphinxAligner` (loading the 134k-word dictionary takes about a second) and reused for
every window. Words missing from the dictionary get a pronunciation from :mod:`toolkit.align.g2p`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import AlignmentError
from .aligner import TokenTiming
from .g2p import VALID_PHONES, g2p, spell

log = logging.getLogger(__name__)

FRAME_MS = 10  # pocketsphinx's default frame rate is 100 frames/s
# Wider than the defaults (1e-48/1e-48/7e-29): with them some voices fail to reach the final state.
BEAMS = {"beam": 1e-60, "pbeam": 1e-60, "wbeam": 1e-50}
# Retried when a search fails: all but unpruned (a search costs about half as much again). Voices far from
# the model's and heavy noise need it on the correct window. It aligns nearly any text to any audio, so the
# caller must judge the fit (a wrong window gives poor scores, not a failure).
WIDE_BEAMS = {"beam": 1e-300, "pbeam": 1e-300, "wbeam": 1e-250}
WIDE_GIVE_UP = 10  # wide searches that never succeed (heavy noise): stop trying them
WIDE_FIRST_AFTER = 3  # once the wide search rescued this many windows and ...
WIDE_FIRST_SHARE = 0.2  # ... this share of all searches, it goes first and alone (one search, not two)


class SphinxAligner:
    """Forced alignment of English text with pocketsphinx's bundled US-English model."""

    name = "pocketsphinx"

    def __init__(self, sample_rate: int = 16000) -> None:
        try:
            from pocketsphinx import Decoder  # lazy: pocketsphinx loads in about 0.3 s, only when aligning
        except ImportError as exc:  # pragma: no cover - pocketsphinx is a hard dependency
            raise AlignmentError(f"pocketsphinx is not installed: {exc}") from exc
        self.sample_rate = sample_rate
        try:
            self._decoder: Any = Decoder(
                samprate=float(sample_rate), lm=None, bestpath=False, loglevel="FATAL", **BEAMS
            )
        except Exception as exc:
            raise AlignmentError(f"pocketsphinx could not start: {exc}") from exc
        self._phones: dict[str, int] = {}
        self._wider: dict[str, Any] = {}  # decoders with wider beams, built when first needed
        self._added: dict[str, str] = {}
        self._wide_tries = self._wide_wins = 0  # the wide search is dropped when it never helps (heavy noise)
        self._searches = 0

    def pronunciation(self, token: str) -> str:
        """The dictionary pronunciation of ``token``, or a letter-to-sound one (added to the dictionary)."""
        d = self._decoder
        found: str | None = d.lookup_word(token)
        if found:
            return found
        if token.endswith(".") and "." in token[:-1]:  # acronym "n.s.a."
            bare = token.replace(".", "")
            found = d.lookup_word(bare)
            phones = found or spell(bare)
        else:
            phones = g2p(token)
        if not all(p in VALID_PHONES for p in phones.split()):
            raise ValueError(f"bad pronunciation {phones!r} for {token!r}")
        d.add_word(token, phones, True)
        for other in self._wider.values():
            other.add_word(token, phones, True)
        self._added[token] = phones
        log.debug("pronunciation for %r: %s", token, phones)
        return phones

    def phone_count(self, token: str) -> int:
        n = self._phones.get(token)
        if n is None:
            n = len(self.pronunciation(token).split())
            self._phones[token] = n
        return n

    def align(self, tokens: Sequence[str], audio: np.ndarray) -> list[TokenTiming] | None:
        if not tokens or len(audio) < self.sample_rate // 10:
            return None
        for t in tokens:
            self.phone_count(t)  # makes sure every token has a pronunciation
        pcm = np.ascontiguousarray(audio, dtype=np.int16).tobytes()
        segs = self._search_escalating(tokens, pcm)
        if segs is None:
            return None
        out: list[TokenTiming] = []
        for seg in segs:
            word = seg.word
            if word.startswith(("<", "[", "+", "(NULL")):
                continue
            frames = max(1, seg.end_frame - seg.start_frame + 1)
            # seg.ascore is exp(log acoustic score relative to the best path per frame): 1.0 = as good as
            # any path; we keep the per-frame log as a score (0 best, more negative = worse fit)
            score = math.log(max(seg.ascore, 1e-300)) * 1000 / frames
            out.append(TokenTiming(seg.start_frame * FRAME_MS, (seg.end_frame + 1) * FRAME_MS, score))
        if len(out) != len(tokens):  # pragma: no cover - the search keeps every word
            log.debug("pocketsphinx returned %d of %d words", len(out), len(tokens))
            return None
        return out

    def _search_escalating(self, tokens: Sequence[str], pcm: bytes) -> list[Any] | None:
        """The default search, then the wide one when it fails. On media where the wide search keeps
        rescuing windows (the default beams lose the path there: heavy noise), the wide search goes first
        and alone, so a window costs one search, not two."""
        self._searches += 1
        if self._wide_wins >= max(WIDE_FIRST_AFTER, WIDE_FIRST_SHARE * self._searches):
            return self._search(self._decoder_with("wide", WIDE_BEAMS), tokens, pcm)
        segs = self._search(self._decoder, tokens, pcm)
        if segs is None and (self._wide_tries < WIDE_GIVE_UP or self._wide_wins > 0):
            self._wide_tries += 1
            segs = self._search(self._decoder_with("wide", WIDE_BEAMS), tokens, pcm)
            self._wide_wins += segs is not None
        return segs

    def _decoder_with(self, name: str, beams: dict[str, float]) -> Any:
        d = self._wider.get(name)
        if d is None:
            from pocketsphinx import Decoder  # lazy: as in __init__ (loaded by then, so free)

            d = Decoder(samprate=float(self.sample_rate), lm=None, bestpath=False, loglevel="FATAL", **beams)
            for word, phones in self._added.items():
                d.add_word(word, phones, True)
            self._wider[name] = d
        return d

    @staticmethod
    def _search(d: Any, tokens: Sequence[str], pcm: bytes) -> list[Any] | None:
        try:
            d.set_align_text(" ".join(tokens))
            d.start_utt()
            d.process_raw(pcm, full_utt=True)
            d.end_utt()
        except RuntimeError as exc:
            log.debug("pocketsphinx failed: %s", exc)
            return None
        segs = d.seg()
        return list(segs) if segs is not None else None
