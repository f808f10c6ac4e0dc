"""The eSpeak NG + DTW aligner (toolkit/align/espeak.py, toolkit/align/dtw.py), on real syntheses.

The "recordings" here are eSpeak renderings in other voice variants, speeds and pitches than the
aligner's own, with silence before and after and noise added; their word starts are known from eSpeak's
word events. Real speech is scored by bench/bench_espeak_align.py.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from toolkit.align.aligner import Aligner, TokenTiming
from toolkit.align.dtw import (
    EspeakAligner,
    band_path,
    diagonal_band,
    dtw_path,
    speech_mask,
)
from toolkit.align.espeak import (
    SAMPLE_RATE,
    Synthesis,
    WordEvent,
    map_events,
    phonemes,
    resample,
    synthesize,
    voice_for,
)
from toolkit.errors import AlignmentError

FR = (
    "Hier soir, j'ai ouvert la porte d'entrée pour laisser sortir le chat. "
    "La nuit était si belle que je suis descendu dans la rue."
)
DE = (
    "Könnten Sie bitte am Dienstag Vormittag einen Techniker schicken? "
    "Das ist der einzige Tag in dieser Woche, an dem ich zuhause sein kann."
)
DE_OTHER = (
    "Ich habe einen Teddybär aus dem Katalog bestellt und eine Rechnung für einen "
    "Elektrorasenmäher bekommen, aber keinen Garten."
)
LEAD_MS = 700
TAIL_MS = 600


def recording(syn: Synthesis, seed: int, noise: float = 30.0) -> np.ndarray:
    """``syn`` with ``LEAD_MS`` of silence before, ``TAIL_MS`` after, and white noise."""
    x = np.concatenate(
        [np.zeros(LEAD_MS * SAMPLE_RATE // 1000), syn.samples, np.zeros(TAIL_MS * SAMPLE_RATE // 1000)]
    ).astype(np.float64)
    x += np.random.default_rng(seed).normal(0.0, noise, len(x))
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def spoken_errors(timings: list[TokenTiming], syn: Synthesis) -> np.ndarray:
    """|aligned start - true start| in ms, over the tokens the rendering speaks."""
    return np.array(
        [
            abs(t.start_ms - (s + LEAD_MS))
            for t, s, said in zip(timings, syn.starts_ms, syn.spoken, strict=True)
            if said
        ]
    )


def check_shape(timings: list[TokenTiming], n_tokens: int, window_ms: int) -> None:
    assert len(timings) == n_tokens
    for a, b in itertools.pairwise(timings):
        assert a.start_ms <= a.end_ms <= b.start_ms
    assert timings[0].start_ms >= 0 and timings[-1].end_ms <= window_ms
    assert all(t.score <= 0 for t in timings)


@pytest.fixture(scope="module")
def fr_aligner() -> EspeakAligner:
    return EspeakAligner("fr")


@pytest.fixture(scope="module")
def de_aligner() -> EspeakAligner:
    return EspeakAligner("de")


# ---------------------------------------------------------------- eSpeak NG


def test_voice_for_maps_language_codes() -> None:
    assert voice_for("fr") == "roa/fr"
    assert voice_for("fra") == "roa/fr"
    assert voice_for("de") == "gmw/de"
    assert voice_for("zh") == "sit/cmn"  # Mandarin, not Cantonese
    assert voice_for("pt-BR") == "roa/pt-BR"
    assert voice_for("pt") == "roa/pt"
    for code in ("es", "ca", "fa", "ja", "cmn"):
        assert voice_for(code) is not None, code
    assert voice_for("xx") is None
    assert voice_for("") is None


def test_aligner_refuses_a_language_without_voice() -> None:
    with pytest.raises(AlignmentError, match="no voice"):
        EspeakAligner("xx")
    with pytest.raises(AlignmentError, match="16000"):
        EspeakAligner("fr", sample_rate=8000)


def test_synthesis_places_every_token() -> None:
    tokens = [
        "Magasins",
        "réunis",
        "—",
        "inventaire",
        "du",
        "6",
        "mars",
        "1989,",
        "d'entrée",
        "…",
        "14",
        "ans.",
    ]
    syn = synthesize(tokens, "roa/fr")
    assert syn.sample_rate == SAMPLE_RATE and syn.samples.dtype == np.int16
    assert syn.tokens == tuple(tokens)
    assert len(syn.starts) == len(tokens) == len(syn.spoken)
    assert list(syn.starts) == sorted(syn.starts)
    assert syn.starts[-1] < len(syn.samples)
    spoken = dict(zip(tokens, syn.spoken, strict=True))
    assert not spoken["—"] and not spoken["…"]
    assert spoken["1989,"] and spoken["d'entrée"] and spoken["6"]
    # "1989" is said as several words: the next token starts well over a second later
    k = tokens.index("1989,")
    assert syn.starts_ms[k + 1] - syn.starts_ms[k] > 1000
    # a word event falls at the word's sound: speech within 60 ms after each spoken token's start
    energy = [
        float(np.abs(syn.samples[s : s + SAMPLE_RATE * 60 // 1000].astype(np.float64)).max())
        for s, said in zip(syn.starts, syn.spoken, strict=True)
        if said
    ]
    assert min(energy) > 500


def test_map_events_by_character_position() -> None:
    tokens = ["Hier", "—", "1989", "d'entrée", "x", "fin."]
    # offsets in "Hier — 1989 d'entrée x fin.": 0, 5, 7, 12, 21, 23 (1-based positions are one more)
    events = [
        WordEvent(1, 4, 100),
        WordEvent(8, 4, 900),  # "1989" said as three words: three events inside the token
        WordEvent(9, 3, 1500),
        WordEvent(10, 2, 2100),
        WordEvent(13, 1, 3000),  # "d'entrée" as one event for "d"
        WordEvent(2, 3, 3100),  # points back to an earlier token: dropped
        WordEvent(24, 3, 5000),  # "x" got no event (merged): placed between by characters
    ]
    starts, spoken = map_events(tokens, events, 6000)
    assert spoken == (True, False, True, True, True, True)
    assert starts[0] == 100 and starts[2] == 900 and starts[3] == 3000 and starts[5] == 5000
    assert starts[1] == 900  # unspoken: the next spoken token's start
    assert 3000 < starts[4] < 5000
    assert list(starts) == sorted(starts)


def test_phonemes_count_sounds() -> None:
    assert len(phonemes("Elektrorasenmäher", "gmw/de")) >= 12
    assert len(phonemes("chat", "roa/fr")) == 2
    assert phonemes("—", "roa/fr") == []


def test_resample_keeps_frequency_and_level() -> None:
    rate_in = 22050
    t = np.arange(rate_in) / rate_in
    x = (10000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    y = resample(x, rate_in, SAMPLE_RATE)
    assert len(y) == SAMPLE_RATE
    spectrum = np.abs(np.fft.rfft(y[1000:-1000].astype(np.float64)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / (len(y) - 2000)
    assert abs(peak_hz - 440) < 2
    assert 9000 < np.abs(y[1000:-1000]).max() < 11000


def test_synthesis_is_thread_safe() -> None:
    texts = [FR, DE, FR, DE]
    voices = ["roa/fr", "gmw/de", "roa/fr+m3", "gmw/de+m3"]
    serial = [synthesize(t, v).starts_ms for t, v in zip(texts, voices, strict=True)]
    results: list[tuple[int, ...] | None] = [None] * len(texts)

    def run(i: int) -> None:
        results[i] = synthesize(texts[i], voices[i]).starts_ms

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(texts))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for got, want in zip(results, serial, strict=True):
        assert got is not None and len(got) == len(want)
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 20  # eSpeak's own jitter


# ---------------------------------------------------------------- DTW


def _brute_dtw(x: np.ndarray, y: np.ndarray) -> float:
    c = np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1))
    d = np.full(c.shape, np.inf)
    for i in range(len(x)):
        for j in range(len(y)):
            if i == 0 and j == 0:
                d[i, j] = c[0, 0]
                continue
            best = np.inf
            if i and j:
                best = d[i - 1, j - 1] + 2 * c[i, j]
            if i:
                best = min(best, d[i - 1, j] + c[i, j])
            if j:
                best = min(best, d[i, j - 1] + c[i, j])
            d[i, j] = best
    return float(d[-1, -1])


def test_band_path_is_exact_dtw() -> None:
    rng = np.random.default_rng(5)
    for _ in range(40):
        n, m = rng.integers(1, 25, 2)
        x, y = rng.normal(size=(n, 3)), rng.normal(size=(m, 3))
        lo, hi = diagonal_band(int(n), int(m), int(max(n, m)))
        pi, pj, pc = band_path(x, y, lo, hi)
        assert (pi[0], pj[0]) == (0, 0) and (pi[-1], pj[-1]) == (n - 1, m - 1)
        steps = np.stack([np.diff(pi), np.diff(pj)], axis=1)
        assert set(map(tuple, steps.tolist())) <= {(1, 1), (1, 0), (0, 1)}
        weights = np.concatenate([[1.0], np.where((steps == 1).all(axis=1), 2.0, 1.0)])
        assert float(np.sum(weights * pc)) == pytest.approx(_brute_dtw(x, y), rel=1e-5)


def test_two_pass_dtw_follows_a_known_warp() -> None:
    rng = np.random.default_rng(6)
    y = np.cumsum(rng.normal(size=(3000, 8)), axis=0)
    steps = np.cumsum(rng.uniform(0.4, 1.3, 3400))
    warp = np.round((steps - steps[0]) / (steps[-1] - steps[0]) * (len(y) - 1)).astype(int)  # ends to ends
    x = y[warp] + rng.normal(0.0, 0.05, (len(warp), 8))
    pi, pj, _ = dtw_path(x, y)
    assert np.median(np.abs(pj - warp[pi])) <= 1
    assert np.percentile(np.abs(pj - warp[pi]), 99) <= 5


def test_speech_mask_needs_a_real_level_range() -> None:
    rng = np.random.default_rng(7)
    assert not speech_mask(np.full(300, 40.0)).any()
    assert not speech_mask(40.0 + rng.normal(0.0, 1.0, 300)).any()  # steady noise
    energy = np.full(300, 20.0)
    energy[100:180] = 70.0
    energy[40:42] = 70.0  # a click: too short to be speech
    mask = speech_mask(energy)
    assert mask[100:180].all() and not mask[:100].any() and not mask[180:].any()


# ---------------------------------------------------------------- the aligner


def test_aligner_implements_the_protocol(fr_aligner: EspeakAligner) -> None:
    assert isinstance(fr_aligner, Aligner)
    assert fr_aligner.sample_rate == SAMPLE_RATE
    assert fr_aligner.phone_count("chat") == 2
    assert fr_aligner.phone_count("1989") > 8
    assert fr_aligner.phone_count("—") == 1


@pytest.mark.parametrize(
    ("language", "text", "variant", "rate", "pitch"),
    [
        ("fr", FR, "+m3", 130, 35),
        ("fr", FR, "+f2", 150, 70),
        ("de", DE, "+m1", 200, 60),
        ("de", DE, "+klatt", 170, 50),
    ],
)
def test_word_starts_in_another_rendering(
    language: str, text: str, variant: str, rate: int, pitch: int, request: pytest.FixtureRequest
) -> None:
    aligner: EspeakAligner = request.getfixturevalue(f"{language}_aligner")
    tokens = text.split()
    other = synthesize(tokens, aligner.voice + variant, rate_wpm=rate, pitch=pitch)
    audio = recording(other, seed=rate)
    timings = aligner.align(tokens, audio)
    assert timings is not None
    check_shape(timings, len(tokens), len(audio) * 1000 // SAMPLE_RATE)
    errors = spoken_errors(timings, other)
    assert np.median(errors) <= 30
    assert errors.max() <= 150
    # the lead-in silence and the tail are not given to the first and last word
    assert abs(timings[0].start_ms - LEAD_MS) <= 80
    assert timings[-1].end_ms <= LEAD_MS + other.duration_ms + 80
    # the second sentence starts where it does in the rendering
    k = next(i for i, t in enumerate(tokens) if i and tokens[i - 1].endswith((".", "?")))
    assert abs(timings[k].start_ms - (other.starts_ms[k] + LEAD_MS)) <= 60


def test_text_not_in_the_audio_scores_lower(de_aligner: EspeakAligner) -> None:
    other = synthesize(DE.split(), de_aligner.voice + "+m3", rate_wpm=140, pitch=40)
    audio = recording(other, seed=1)
    right = de_aligner.align(DE.split(), audio)
    wrong = de_aligner.align(DE_OTHER.split(), audio)
    assert right is not None
    right_fit = float(np.median([t.score for t in right]))
    assert right_fit > -1.0
    if wrong is not None:  # None is right too: the aligner refused the text
        assert float(np.median([t.score for t in wrong])) < right_fit - 1.5


def test_silence_and_noise_give_none(fr_aligner: EspeakAligner) -> None:
    tokens = FR.split()
    assert fr_aligner.align(tokens, np.zeros(3 * SAMPLE_RATE, dtype=np.int16)) is None
    noise = np.random.default_rng(2).normal(0.0, 300.0, 3 * SAMPLE_RATE).astype(np.int16)
    assert fr_aligner.align(tokens, noise) is None
    assert fr_aligner.align([], noise) is None
    assert fr_aligner.align(tokens, noise[:100]) is None


def test_far_too_little_speech_for_the_text_gives_none(fr_aligner: EspeakAligner) -> None:
    short = synthesize(["Bonjour."], fr_aligner.voice + "+m3")
    audio = recording(short, seed=4)
    assert fr_aligner.align((FR + " " + FR).split(), audio) is None


def test_numbers_and_punctuation_keep_one_timing_per_token(fr_aligner: EspeakAligner) -> None:
    tokens = [
        "Magasins",
        "réunis",
        "—",
        "inventaire",
        "du",
        "6",
        "mars",
        "1989",
        "(étage",
        "homme)",
        "S-",
        "cintrées",
        "…",
        "14",
        "ans.",
    ]
    other = synthesize(tokens, fr_aligner.voice + "+m3", rate_wpm=140)
    audio = recording(other, seed=3)
    timings = fr_aligner.align(tokens, audio)
    assert timings is not None
    check_shape(timings, len(tokens), len(audio) * 1000 // SAMPLE_RATE)
    assert np.median(spoken_errors(timings, other)) <= 30
    for token, t in zip(tokens, timings, strict=True):
        if token in ("—", "…"):
            assert t.end_ms == t.start_ms  # not said: no length
        else:
            assert t.end_ms > t.start_ms, token
    k = tokens.index("1989")
    assert timings[k].end_ms - timings[k].start_ms > 1000  # "mille neuf cent quatre-vingt-neuf"
    # tokens holding whitespace or nothing still get one timing each
    odd = ["Hier", "", "soir,", "j'ai ouvert", "la", "porte"]
    got = fr_aligner.align(odd, recording(synthesize(FR, fr_aligner.voice + "+m3"), seed=5))
    assert got is not None and len(got) == len(odd)
