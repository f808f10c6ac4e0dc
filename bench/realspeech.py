"""The real-speech corpus (``../shared/realspeech``) for the benchmarks: items, truth, degradations, scores.

The corpus holds real human recordings with independent reference timing (its README gives the truth
format). It is not committed here: the benchmarks read it where it lies (``--corpus`` or
``$CAPTIONKIT_REALSPEECH``, default ``../shared/realspeech`` beside the repository).

Degradations are made here, in numpy, from a fixed seed, so every run scores the same audio and no apt
tool is needed: pink noise at a given active-speech SNR, a synthetic music bed under the speech,
reverberation (an exponentially decaying noise impulse response), telephone band (300-3400 Hz, 8 kHz,
mu-law), a quiet recording (-30 dB), a level that changes in the middle (a second half 18 dB
quieter), an old field tape (100-4000 Hz, mains hum and hiss 20 dB under the speech) and an overdriven
one (+20 dB, clipped). The reference speech spans are defined on the dry speech, so they hold for every
degradation.

``disfluent`` makes spontaneous speech of the read speech: repeats, broken-off words and hesitation
pauses, cut from the speaker's own words, that the transcript leaves out.
"""

from __future__ import annotations

import json
import math
import os
import re
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "realspeech"
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "realspeech"
RATE = 16000
FRAME_MS = 10


def corpus_dir(given: str | None = None) -> Path:
    return Path(given or os.environ.get("CAPTIONKIT_REALSPEECH") or DEFAULT_CORPUS)


@dataclass(frozen=True)
class Item:
    group: str  # items | vad_only | multilingual
    name: str
    media: Path
    truth: dict[str, Any]
    transcript: Path | None

    @property
    def duration_ms(self) -> int:
        return int(self.truth["duration_s"] * 1000)

    def audio(self) -> np.ndarray:
        """The item's audio, int16 mono 16 kHz (decoded once by captionkit's own decoder, then cached)."""
        cache = WORK / f"{self.name}.npy"
        if cache.exists():
            return np.load(cache)
        from toolkit.media.audio import decode_audio

        audio = decode_audio(str(self.media))
        WORK.mkdir(parents=True, exist_ok=True)
        np.save(cache, audio)
        return audio


def items(corpus: Path, groups: tuple[str, ...] = ("items",)) -> list[Item]:
    out = []
    for group in groups:
        for truth in sorted((corpus / group).glob("*.truth.json")):
            name = truth.name[: -len(".truth.json")]
            media = next(
                p for p in sorted(truth.parent.glob(f"{name}.*")) if p.suffix in (".flac", ".mp4", ".wav")
            )
            transcript = truth.parent / f"{name}.transcript.txt"
            out.append(
                Item(
                    group,
                    name,
                    media,
                    json.loads(truth.read_text()),
                    transcript if transcript.exists() else None,
                )
            )
    return out


# ------------------------------------------------------------------------------------ degradations


def _speech_power(audio: np.ndarray, spans: list[list[int]]) -> float:
    """The speech level a degradation's SNR refers to: the 25th percentile of the reference speech spans'
    powers, so that three quarters of the speech is at least that far above the noise (the read dialogues
    mix sentences recorded 35 dB apart: a mean would be the loud speaker's alone)."""
    x = audio.astype(np.float64)
    powers = [float(np.mean(x[a * RATE // 1000 : b * RATE // 1000] ** 2)) for a, b in spans if b - a >= 100]
    return (float(np.percentile(powers, 25)) if powers else float(np.mean(x**2))) + 1e-9


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    spec[f < 50] = 0  # no infrasound: its slow swings would only clip the mix
    spec[f >= 50] /= np.sqrt(f[f >= 50])
    out: np.ndarray = np.fft.irfft(spec, n)
    return out / (np.std(out) + 1e-12)


def music_bed(n: int, rng: np.random.Generator) -> np.ndarray:
    """A synthetic music bed: chords of harmonic tones changing every beat pair, a bass line and a
    noisy hi-hat on the off-beats (tonal and percussive sound that is not speech)."""
    t = np.arange(n) / RATE
    beat = 0.5  # 120 bpm
    out = np.zeros(n)
    roots = [220.0, 174.6, 261.6, 196.0]  # A, F, C, G
    for k in range(int(t[-1] / (2 * beat)) + 1):
        a, b = int(k * 2 * beat * RATE), min(n, int((k + 1) * 2 * beat * RATE))
        if a >= n:
            break
        root = roots[k % len(roots)]
        seg = t[a:b] - t[a]
        env = np.exp(-seg * 1.5)
        for ratio in (1.0, 1.26, 1.5):  # a major triad
            for h in range(1, 5):
                out[a:b] += env * np.sin(2 * np.pi * root * ratio * h * seg) / h**1.5
        out[a:b] += 1.5 * env * np.sin(2 * np.pi * root / 4 * seg)
    for k in range(int(t[-1] / beat) + 1):
        a = int((k + 0.5) * beat * RATE)
        if a >= n:
            break
        m = min(n - a, RATE // 20)
        out[a : a + m] += 0.8 * rng.standard_normal(m) * np.exp(-np.arange(m) / (m / 5))
    return out / (np.std(out) + 1e-12)


def _mix(audio: np.ndarray, other: np.ndarray, spans: list[list[int]], snr_db: float) -> np.ndarray:
    p = _speech_power(audio, spans)
    other = other * math.sqrt(p / 10 ** (snr_db / 10))
    return _clip(audio.astype(np.float64) + other)


def _clip(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def _fft_convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    n = len(x) + len(h) - 1
    size = 1 << (n - 1).bit_length()
    out: np.ndarray = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[: len(x)]
    return out


def reverb(audio: np.ndarray, rng: np.random.Generator, rt60_s: float = 0.7) -> np.ndarray:
    n = int(rt60_s * RATE)
    t = np.arange(n) / RATE
    h = rng.standard_normal(n) * np.exp(-6.9 * t / rt60_s)
    h[0] = 4.0  # the direct sound
    h /= np.sqrt(np.sum(h**2))
    wet = _fft_convolve(audio.astype(np.float64), h)
    wet *= np.sqrt(np.mean(audio.astype(np.float64) ** 2) / (np.mean(wet**2) + 1e-12))
    return _clip(wet)


def telephone(audio: np.ndarray) -> np.ndarray:
    spec = np.fft.rfft(audio.astype(np.float64))
    f = np.fft.rfftfreq(len(audio), 1 / RATE)
    spec[(f < 300) | (f > 3400)] = 0
    x = np.fft.irfft(spec, len(audio))
    x8 = x[::2] / 32768.0  # 8 kHz
    mu = 255.0
    q = np.round(np.sign(x8) * np.log1p(mu * np.abs(np.clip(x8, -1, 1))) / math.log1p(mu) * 127) / 127
    y8 = np.sign(q) * ((1 + mu) ** np.abs(q) - 1) / mu
    return _clip(np.repeat(y8, 2)[: len(audio)] * 32768.0)


def tape(audio: np.ndarray, spans: list[list[int]], rng: np.random.Generator) -> np.ndarray:
    """An old field recording: 100-4000 Hz, 50 Hz mains hum with harmonics 20 dB under the speech, and
    tape hiss (white noise) 20 dB under it."""
    x = audio.astype(np.float64)
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    spec[(f < 100) | (f > 4000)] = 0
    x = np.fft.irfft(spec, len(x))
    t = np.arange(len(x)) / RATE
    hum = sum(np.sin(2 * np.pi * 50 * k * t + k) / k for k in (1, 2, 3, 5))
    p = _speech_power(audio, spans)
    x += hum * math.sqrt(p / 10**2 / np.mean(hum**2))
    x += rng.standard_normal(len(x)) * math.sqrt(p / 10**2)
    return _clip(x)


def gain(audio: np.ndarray, db: float) -> np.ndarray:
    return _clip(audio.astype(np.float64) * 10 ** (db / 20))


def level_step(audio: np.ndarray, db: float = -18.0) -> np.ndarray:
    x = audio.astype(np.float64)
    half = len(x) // 2
    x[half:] *= 10 ** (db / 20)
    return _clip(x)


DEGRADATIONS: dict[str, Callable[[np.ndarray, list[list[int]], np.random.Generator], np.ndarray]] = {
    "clean": lambda a, s, r: a,
    "pink10": lambda a, s, r: _mix(a, pink_noise(len(a), r), s, 10),
    "pink3": lambda a, s, r: _mix(a, pink_noise(len(a), r), s, 3),
    "music": lambda a, s, r: _mix(a, music_bed(len(a), r), s, 12),
    "reverb": lambda a, s, r: reverb(a, r),
    "phone": lambda a, s, r: telephone(a),
    "quiet": lambda a, s, r: gain(a, -30),
    "levelstep": lambda a, s, r: level_step(a),
    "tape": tape,
    "overdrive": lambda a, s, r: gain(a, 20),
}


def degrade(item: Item, how: str, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed + sum(map(ord, item.name)))
    return DEGRADATIONS[how](item.audio(), item.truth["speech_spans"], rng)


def write_wav(path: Path, audio: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.ascontiguousarray(audio, dtype="<i2").tobytes())
    return path


def media_file(item: Item, how: str) -> Path:
    """The item's media for a degradation: the original file when clean, else a WAV made once."""
    if how == "clean":
        return item.media
    path = WORK / f"{item.name}.{how}.wav"
    if not path.exists():
        write_wav(path, degrade(item, how))
    return path


def cases(corpus: Path, hows: list[str], groups: tuple[str, ...] = ("items",)) -> Iterator[tuple[Item, str]]:
    for item in items(corpus, groups):
        for how in hows:
            yield item, how


# ------------------------------------------------------------------------------------ transcripts

_LABELLED_STAMP = re.compile(r"^(.*?) \[\d\d:\d\d:\d\d\] (.*)$")


def first_stamps_only(text: str) -> str:
    """A ``Name [HH:MM:SS] text`` transcript in which only each speaker's first turn keeps its stamp; the
    others are written ``Name: text`` (transcripts that stamp a turn now and then)."""
    seen: set[str] = set()
    lines = []
    for line in text.splitlines():
        m = _LABELLED_STAMP.match(line)
        if m and m[1] in seen:
            line = f"{m[1]}: {m[2]}"
        elif m:
            seen.add(m[1])
        lines.append(line)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ end to end


@dataclass(frozen=True)
class EndToEnd:
    """Items put end to end in one recording (2 s of silence between them), each in its own condition:
    the sound changes from segment to segment, as in a programme with a studio, a phone-in and a field
    report. The transcript's stamps are the items' own, moved and floored to whole seconds again."""

    audio: np.ndarray
    transcript: str
    truth: dict[str, Any]
    segments: list[str]  # per reference sentence: "item (condition)"


def end_to_end(items: list[Item], hows: list[str], gap_ms: int = 2000, spontaneous: bool = False) -> EndToEnd:
    """``items`` in order, item k degraded by ``hows[k % len(hows)]``; with ``spontaneous``, the items
    with word labels with disfluencies inserted (:func:`disfluent`)."""
    parts: list[np.ndarray] = []
    lines: list[str] = []
    sentences: list[dict[str, Any]] = []
    segments: list[str] = []
    offset = 0
    for k, item in enumerate(items):
        assert item.transcript is not None
        how = hows[k % len(hows)]
        audio = degrade(item, how) if how != "clean" else item.audio()
        text, truth = item.transcript.read_text(encoding="utf-8"), item.truth
        if spontaneous and item.truth.get("words"):
            d = disfluent(item, how)
            audio, text, truth = d.audio, d.transcript, d.truth
        for line in text.splitlines():
            m = _STAMP_LINE.match(line)
            if m:
                t = (int(m[2]) * 3600 + int(m[3]) * 60 + int(m[4])) * 1000 + offset
                s = t // 1000
                line = f"{m[1]}[{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}]{m[5]}"
            lines.append(line)
        for snt in truth["sentences"]:
            sentences.append({**snt, "start_ms": snt["start_ms"] + offset, "end_ms": snt["end_ms"] + offset})
            segments.append(item.name if how == "clean" else f"{item.name} ({how})")
        gap = np.zeros(_ms(gap_ms) + (-(len(audio) + _ms(gap_ms)) % (RATE // 1000)), dtype=np.int16)
        parts += [audio.astype(np.int16), gap]
        offset += (len(audio) + len(gap)) * 1000 // RATE
    return EndToEnd(np.concatenate(parts), "\n".join(lines) + "\n", {"sentences": sentences}, segments)


# ------------------------------------------------------------------------------------ disfluencies

DISFLUENCIES = ("repeat_first", "repeat_pair", "false_start", "pause")
_STAMP_LINE = re.compile(r"^(.*?)\[(\d\d):(\d\d):(\d\d)\](.*)$")


@dataclass(frozen=True)
class Disfluent:
    """An item's audio with spontaneous-speech disfluencies inserted, which its transcript leaves out (as
    a clean-verbatim transcript does), and the truth and stamps moved to match."""

    audio: np.ndarray
    transcript: str
    truth: dict[str, Any]
    inserted: list[tuple[int, int, str]]  # (start ms in the new audio, length ms, kind)


def _ms(t: int) -> int:
    return t * RATE // 1000


def _room_tone(audio: np.ndarray) -> np.ndarray:
    """The quietest 300 ms of the audio: what a pause sounds like there (noise and music included)."""
    frames = audio[: len(audio) // 160 * 160].astype(np.float64).reshape(-1, 160)
    energy = np.convolve((frames**2).mean(axis=1), np.ones(30), "valid")
    at = int(np.argmin(energy)) * 160
    return audio[at : at + _ms(300)]


def disfluent(item: Item, how: str = "clean", seed: int = 3) -> Disfluent:
    """Each reference sentence with at least four labelled words gets one disfluency, chosen at random
    (fixed seed), cut from the speaker's own words: its first word said twice ("we we went"), two words
    said twice ("of the of the"), a word broken off and started again ("pa- pass"), or a hesitation pause
    of 0.7-1.5 s of room tone inside the sentence. The transcript is unchanged but for its stamps, floored
    from the moved truth as the corpus's own are; a sentence still starts where its first word first
    starts. Items without word labels are returned unchanged."""
    rng = np.random.default_rng(seed + sum(map(ord, item.name)))
    audio = degrade(item, how)
    truth = item.truth
    words = truth.get("words", [])
    room = _room_tone(audio)

    def tone(ms: int) -> np.ndarray:
        return np.tile(room, -(-_ms(ms) // len(room)))[: _ms(ms)]

    def cut(a_ms: int, b_ms: int) -> np.ndarray:
        return audio[_ms(a_ms) : _ms(b_ms)]

    inserts: list[tuple[int, np.ndarray, str]] = []  # (at sample, audio, kind)
    for s in truth["sentences"]:
        ws = [
            w for w in words if s["start_ms"] <= w["start_ms"] < s["end_ms"] and w["speaker"] == s["speaker"]
        ]
        if len(ws) < 4:
            continue
        kind = str(rng.choice(DISFLUENCIES))
        if kind == "repeat_first":
            w = ws[0]
            seg = np.concatenate([tone(int(rng.integers(60, 250))), cut(w["start_ms"], w["end_ms"])])
            inserts.append((_ms(w["end_ms"]), seg, kind))
        elif kind == "repeat_pair":
            a, b = ws[(i := int(rng.integers(1, len(ws) - 2)))], ws[i + 1]
            seg = np.concatenate([cut(a["start_ms"], b["end_ms"]), tone(int(rng.integers(50, 200)))])
            inserts.append((_ms(a["start_ms"]), seg, kind))
        elif kind == "false_start":
            w = ws[int(rng.integers(1, len(ws) - 1))]
            part = int((w["end_ms"] - w["start_ms"]) * rng.uniform(0.3, 0.6))
            seg = np.concatenate(
                [cut(w["start_ms"], w["start_ms"] + part), tone(int(rng.integers(150, 400)))]
            )
            inserts.append((_ms(w["start_ms"]), seg, kind))
        else:
            w = ws[int(rng.integers(1, len(ws) - 1))]
            inserts.append((_ms(w["start_ms"]), tone(int(rng.integers(700, 1500))), kind))
    inserts.sort(key=lambda x: x[0])
    parts, last = [], 0
    for at, seg, _ in inserts:
        parts += [audio[last:at], seg]
        last = at
    parts.append(audio[last:])

    def moved(t_ms: int) -> int:
        return t_ms + sum(len(seg) for at, seg, _ in inserts if at <= _ms(t_ms)) * 1000 // RATE

    # words and speech spans are no longer true (the convert scores do not use them)
    new_truth = {k: v for k, v in truth.items() if k not in ("words", "speech_spans")}
    new_truth["sentences"] = [
        {**s, "start_ms": moved(s["start_ms"]), "end_ms": moved(s["end_ms"])} for s in truth["sentences"]
    ]
    assert item.transcript is not None
    used: set[int] = set()
    lines = []
    for line in item.transcript.read_text().splitlines():
        m = _STAMP_LINE.match(line)
        j = None
        if m:
            k = _key(m[5])
            j = next(
                (j for j, s in enumerate(truth["sentences"]) if j not in used and _key(s["text"]) == k), None
            )
        if m is None or j is None:
            lines.append(line)
            continue
        used.add(j)
        t = moved(truth["sentences"][j]["start_ms"]) // 1000
        lines.append(f"{m[1]}[{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}]{m[5]}")
    inserted = [
        (moved(at * 1000 // RATE) - len(seg) * 1000 // RATE, len(seg) * 1000 // RATE, k)
        for at, seg, k in inserts
    ]
    return Disfluent(np.concatenate(parts), "\n".join(lines) + "\n", new_truth, inserted)


# ------------------------------------------------------------------------------------ scores


def span_mask(spans_ms: list[list[int]] | list[tuple[int, int]], duration_ms: int) -> np.ndarray:
    m = np.zeros(duration_ms // FRAME_MS + 1, dtype=bool)
    for a, b in spans_ms:
        m[a // FRAME_MS : -(-b // FRAME_MS)] = True
    return m


def detection_scores(truth: dict[str, Any], hyp: np.ndarray) -> tuple[float, float]:
    """Frame-level (10 ms) recall and precision of a speech mask against the reference speech spans."""
    ref = span_mask(truth["speech_spans"], int(truth["duration_s"] * 1000))
    n = min(len(ref), len(hyp))
    r, h = ref[:n], np.asarray(hyp[:n], dtype=bool)
    tp = int(np.sum(r & h))
    return tp / max(1, int(r.sum())), tp / max(1, int(h.sum()))


def _key(text: str, n: int = 3) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower())[:n])


def start_errors(truth: dict[str, Any], cues: list[tuple[int, str]]) -> list[int | None]:
    """Each reference sentence matched to the first unused cue that begins with its first three words
    (the corpus README's scoring); cue start - true start in ms, None when no cue matches."""
    errs: list[int | None] = []
    used: set[int] = set()
    for s in truth["sentences"]:
        if not s.get("text"):
            continue
        hit = next(
            (i for i, (_, txt) in enumerate(cues) if i not in used and _key(txt) == _key(s["text"])), None
        )
        if hit is not None:
            used.add(hit)
        errs.append(None if hit is None else cues[hit][0] - s["start_ms"])
    return errs


def summary(errs: list[int | None], missing_ms: int = 10_000) -> dict[str, float]:
    """mean / median / p95 / max of |error| (a sentence without a cue counts as ``missing_ms``)."""
    a = np.array([abs(e) if e is not None else missing_ms for e in errs], dtype=np.float64)
    if not len(a):
        return {"n": 0, "mean": 0, "median": 0, "p95": 0, "max": 0, "over_1s": 0, "over_2s": 0, "missing": 0}
    return {
        "n": len(a),
        "mean": round(float(a.mean()), 1),
        "median": round(float(np.median(a)), 1),
        "p95": round(float(np.percentile(a, 95)), 1),
        "max": round(float(a.max()), 1),
        "over_1s": int(np.sum(a > 1000)),
        "over_2s": int(np.sum(a > 2000)),
        "missing": sum(e is None for e in errs),
    }


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def cue_word_times(cues: list[tuple[int, int, str, list[tuple[str, int]]]]) -> list[tuple[str, int]]:
    """(word, start ms) for every word shown, in order. A cue's word times are used when it has them
    (media alignment); otherwise a word's time is interpolated over the cue by its character offset,
    which is where a text-only tool places it."""
    out: list[tuple[str, int]] = []
    for start, end, text, words in cues:
        if words:
            for w, t in words:
                out.extend((n, t) for n in _norm_words(w))
            continue
        total = max(1, len(text))
        for m in re.finditer(r"[A-Za-z0-9']+", text):
            out.append((m.group(0).lower(), start + (end - start) * m.start() // total))
    return out


def sentence_errors(
    truth: dict[str, Any],
    words: list[tuple[str, int]],
    n: int = 3,
    first: Callable[[str], list[str]] | None = None,
) -> list[int | None]:
    """Each reference sentence's start error (found - true, ms): the sentence is found at the first unused
    place in the word stream where its first ``n`` words follow one another (in order of the reference,
    searching from the previous match, then from the start); None when it is not found. ``first`` gives
    the units a sentence is found by, when they are not its first ``n`` words (characters in Chinese)."""
    keys = [w for w, _ in words]
    used: set[int] = set()
    errs: list[int | None] = []
    pos = 0
    for s in truth["sentences"]:
        text = s.get("text", "")
        want = first(text) if first is not None else _norm_words(text)[:n]
        if not want:
            continue
        hit = None
        for lo, hi in ((pos, len(keys)), (0, pos)):
            hit = next((i for i in range(lo, hi) if i not in used and keys[i : i + len(want)] == want), None)
            if hit is not None:
                break
        if hit is None:
            errs.append(None)
            continue
        used.add(hit)
        pos = hit + 1
        errs.append(words[hit][1] - int(s["start_ms"]))
    return errs


def result_errors(truth: dict[str, Any], result: Any) -> list[int | None]:
    """Sentence start errors of a ``toolkit.pipeline.ConvertResult``."""
    cues = [(c.start_ms, c.end_ms, c.text, [(w.text, w.start_ms) for w in c.words]) for c in result.cues]
    return sentence_errors(truth, cue_word_times(cues))
