"""The voiced aligner's tuning (languages other than English): one frozen :class:`VoicedParams`, passed to
:func:`toolkit.align.voiced.align_turns_voiced` and :class:`toolkit.align.dtw.EspeakAligner`
(``DEFAULT_PARAMS`` when none is given).

The lowest module of the voiced aligner: the turn windows (:mod:`~toolkit.align.voiced`), the aligner
(:mod:`~toolkit.align.dtw`), the features (:mod:`~toolkit.align.acoustic_features`) and the path search
(:mod:`~toolkit.align.warping`) read their settings from the instance they are given, never from module
constants. Format facts stay where they are: the frame and window sizes and the MFCC design in
:mod:`~toolkit.align.acoustic_features`, eSpeak's own defaults in :mod:`~toolkit.align.espeak`. The settings
were chosen on the recordings of ``bench/bench_espeak_align.py`` and ``bench/bench_languages.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PARAMS", "VoicedParams"]


@dataclass(frozen=True, slots=True)
class VoicedParams:
    """Settings of the eSpeak NG + DTW aligner and its turn loop; the defaults are the tuned ones."""

    # ---- a turn's window (toolkit.align.voiced)
    lead_ms: int = 300  # a turn's window opens this long before its synced start
    # longer windows keep the turn sync's timing: a 3.7-minute French monologue aligned in one window in
    # 3 s and 340 MB with sentence starts at 11 / 84 ms median / p95 (the 75 s one: 9.5 / 84 ms, 0.8 s,
    # 130 MB); cost and memory grow with the window (a 10-minute one took 14 s and 0.8 GB)
    max_window_ms: int = 300_000
    min_window_ms: int = 200  # a shorter window is not aligned (the turn keeps its timing, no finding)
    last_window_ms: int = 1_000  # the last turn's window reaches at least this far past its start
    min_fit: float = -2.8  # a median token fit below this: the text is not in the window
    max_start_move_ms: int = 1_000  # a first word further than this from the synced start: the turn stays

    # ---- the synthetic voice and the fit (toolkit.align.dtw)
    variants: tuple[str, ...] = ("+f4",)  # aligned against the language's (male) voice and these
    rate_wpm: int = 160  # eSpeak NG's speaking rate for the reference voice
    syn_margin: int = 2  # frames kept before the synthesis's first sound
    max_speech_ratio: float = 3.5  # real vs synthetic speech time beyond this (either way): not this text
    step_penalty: float = 0.1  # DTW cost of a non-diagonal step (cosine distances are 0..2)
    pause_cost: float = 0.3  # a real pause frame costs at most this at a word's first synthetic frame
    coarse: int = 4  # frames averaged in the first DTW pass ...
    radius: int = 12  # ... whose path the second pass searches within this many frames
    snap_frames: int = 60  # a start in silence moves to the next onset at most this far
    rank_scale: float = 20.0  # score = -rank_scale x the share of synthetic frames that fit better
    rank_sample: int = 4  # the share is estimated on every rank_sample-th synthetic frame

    # ---- the path search (toolkit.align.warping)
    max_cells: int = 24_000_000  # the first pass's matrix at most (10-minute window: frames averaged 8)
    coarse_band_min: int = 1_000  # the first pass's band: the whole matrix up to this many coarse frames ...
    coarse_band_div: int = 3  # ... beyond, this fraction (1 / coarse_band_div) of the synthesis ...
    coarse_band_slack: int = 250  # ... and at least this many coarse frames more than the length difference

    # ---- the features (toolkit.align.acoustic_features)
    delta_weight: float = 1.0  # weight of the cepstral deltas against the cepstra
    smooth_frames: int = 3  # features averaged over this many frames: the two voices' fine detail differs
    energy_weight: float = 3.0  # weight of the loudness feature against the 24 normalised cepstral ones
    floor_pct: int = 5  # a signal's floor and ...
    peak_pct: int = 98  # ... peak energy, as percentiles of its frames
    level_pct: int = 90  # a signal's speech level: this percentile of its speech frames' energy
    loud_min: float = -1.0  # the loudness feature (energy less the speech level, over its range) is
    loud_max: float = 0.2  # ... clipped to [loud_min, loud_max]
    low_share: float = 0.3  # speech: above this share of the floor-to-peak range ...
    high_share: float = 0.5  # ... in a run that holds this share ...
    core_frames: int = 3  # ... for at least this many frames
    min_range_db: float = 10.0  # a signal whose loudest frames are under this above its floor: no speech


DEFAULT_PARAMS = VoicedParams()
