"""eSpeak NG through ctypes: the synthetic reference voice of the DTW aligner (:mod:`toolkit.align.dtw`).

The shared library and its voice data come from the ``espeakng-loader`` wheel (eSpeak NG 1.52, 21 MB,
about 100 languages, no system package needed; a system ``espeak-ng`` is never used). The library is
loaded and initialised once per process (``AUDIO_OUTPUT_SYNCHRONOUS``, so ``espeak_Synth`` returns when
the whole text is spoken) and every call goes through one lock: eSpeak keeps its voice, parameters and
callback in global state.

:func:`synthesize` speaks ``" ".join(tokens)`` and returns the samples (resampled from eSpeak's 22,050 Hz
to 16 kHz) with, per token, where eSpeak says it starts. The times come from the ``espeakEVENT_WORD``
events of the synthesis callback: ``text_position`` (1-based, in characters of the UTF-8 text) says which
token an event belongs to and ``sample`` where it is in the audio. The events do not map 1:1 to the
tokens, so the mapping is by character position, not by count: eSpeak says ``1989`` as three words
(three events inside one token, the first one counts), ``d'entrée`` or ``j'ai`` as one event, and a token
of punctuation only (``-``, ``…``) as none (it is *unspoken*: it gets the next token's start and no
length). A spoken token that got no event (a word eSpeak merged with its neighbour) is placed between its
neighbours by its share of their characters. Measured here: a WORD event falls within 20 ms before the
word's first sound; after a comma or full stop the pause comes before the event, not after it. Two
syntheses of one text differ by a few samples (eSpeak's voices vary their pitch a little).

:func:`voice_for` maps a language code (ISO 639-1 ``fr``, ISO 639-3 ``fra``, a BCP 47 tag ``pt-BR``;
``zh`` is Mandarin, ``cmn``) to the identifier of eSpeak's voice for it (``roa/fr``), or ``None``.
:func:`phonemes` gives eSpeak's phonemes of a text (for phone counts).

Errors: :class:`~toolkit.errors.AlignmentError` with the reason when the wheel is missing, its library
or data folder cannot be loaded (``espeak_Initialize`` runs with ``espeakINITIALIZE_DONT_EXIT``, so a
broken install cannot end the process), a voice is unknown, or a synthesis fails.

Cost on this machine: 0.13 s to load (import included); then eSpeak speaks about 600 times faster than
real time (50 s of speech in 0.08 s, resampling included). The engine is loaded on first use, never at
import.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import importlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import AlignmentError

log = logging.getLogger(__name__)

__all__ = [
    "SAMPLE_RATE",
    "Synthesis",
    "VoiceInfo",
    "WordEvent",
    "list_voices",
    "map_events",
    "phonemes",
    "resample",
    "synthesize",
    "voice_for",
]

SAMPLE_RATE = 16000  # what :func:`synthesize` returns
DEFAULT_RATE_WPM = 175  # eSpeak's own defaults, restored before every synthesis
DEFAULT_PITCH = 50

# speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # without it a missing data folder makes espeak_Initialize call exit()
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_PARAM_WORDGAP = 7  # pause between words, in 10 ms units at the default rate
_PHONEME_SEPARATOR = ord("_") << 8  # espeak_TextToPhonemes: phonemes separated by "_" (ASCII names)
# languages eSpeak lists under another code than the one a transcript is tagged with
_ALIASES = {"zh": "cmn", "zho": "cmn", "chi": "cmn", "no": "nb", "in": "id", "iw": "he"}


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),  # a union of int, const char* and char[8]
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, NUL-terminated language) pairs, then a 0 byte
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True, slots=True)
class WordEvent:
    """One ``espeakEVENT_WORD``: ``text_position`` is 1-based in characters, ``sample`` at eSpeak's rate."""

    text_position: int
    length: int
    sample: int


@dataclass(frozen=True, slots=True)
class VoiceInfo:
    """One of eSpeak's voices: ``identifier`` (``roa/fr``) is what :func:`synthesize` takes."""

    name: str
    identifier: str
    languages: tuple[tuple[str, int], ...]  # (language, priority: lower is a better match)


@dataclass(frozen=True, slots=True)
class Synthesis:
    """A text spoken by eSpeak: int16 mono ``samples`` at ``sample_rate`` (16 kHz) and per token of the
    text (split at whitespace) the sample where it starts. ``spoken[k]`` is False for a token eSpeak does
    not say (punctuation only); its start is the next spoken token's."""

    samples: np.ndarray
    sample_rate: int
    tokens: tuple[str, ...]
    starts: tuple[int, ...]  # sample index per token, non-decreasing
    spoken: tuple[bool, ...]
    events: tuple[WordEvent, ...]  # the raw WORD events (``sample`` at eSpeak's own rate)
    native_rate: int  # eSpeak's output rate (22,050 Hz)

    @property
    def starts_ms(self) -> tuple[int, ...]:
        return tuple(s * 1000 // self.sample_rate for s in self.starts)

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // self.sample_rate


class _Engine:
    """The loaded library, its output rate, and the callback's buffers (used under ``lock`` only)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lib, self.rate = _load()
        self.chunks: list[np.ndarray] = []
        self.events: list[WordEvent] = []
        self.callback = _Callback(self._collect)  # kept referenced: eSpeak calls it from C
        self.lib.espeak_SetSynthCallback(self.callback)
        self.voice: str | None = None

    def _collect(self, wav: Any, n: int, events: Any) -> int:
        if wav and n > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        i = 0
        while events and events[i].type != _EVENT_LIST_TERMINATED:
            e = events[i]
            if e.type == _EVENT_WORD:
                self.events.append(WordEvent(e.text_position, e.length, e.sample))
            i += 1
        return 0  # 0: go on

    def set_voice(self, voice: str) -> None:
        if voice != self.voice:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise AlignmentError(f"eSpeak NG has no voice {voice!r}")
            self.voice = voice


def _load() -> tuple[Any, int]:
    try:
        loader = importlib.import_module("espeakng_loader")  # untyped: its functions are Any
    except ImportError as exc:
        raise AlignmentError(
            "eSpeak NG is not installed: the aligner for languages other than English needs the "
            "espeakng-loader wheel (pip install espeakng-loader)"
        ) from exc
    try:
        lib_path = str(loader.get_library_path())
        data_path = str(loader.get_data_path())
    except Exception as exc:  # the wheel raises RuntimeError when its data folder is missing
        raise AlignmentError(f"eSpeak NG's files are missing from espeakng-loader: {exc}") from exc
    if not os.path.isdir(data_path):
        raise AlignmentError(f"eSpeak NG's data folder is missing: {data_path}")
    try:
        lib = ctypes.CDLL(lib_path)
    except OSError as exc:
        raise AlignmentError(f"eSpeak NG's library could not be loaded from {lib_path}: {exc}") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_Callback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
        ctypes.c_void_p, ctypes.c_void_p,
    ]  # fmt: skip
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    rate = int(lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), _INITIALIZE_DONT_EXIT))
    if rate <= 0:
        raise AlignmentError(
            f"eSpeak NG could not start (espeak_Initialize returned {rate}, data {data_path})"
        )
    log.debug("eSpeak NG loaded from %s, %d Hz", lib_path, rate)
    return lib, rate


_engine_lock = threading.Lock()
_engine: _Engine | None = None


def _get_engine() -> _Engine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine()
        return _engine


# ---------------------------------------------------------------- voices


@functools.lru_cache(maxsize=1)
def list_voices() -> tuple[VoiceInfo, ...]:
    """All of eSpeak's voices (141 in 1.52), in its own order."""
    eng = _get_engine()
    out: list[VoiceInfo] = []
    with eng.lock:
        arr = eng.lib.espeak_ListVoices(None)
        i = 0
        while arr[i]:
            v = arr[i].contents
            langs: list[tuple[str, int]] = []
            p = int(v.languages or 0)
            while p:
                priority = ctypes.c_ubyte.from_address(p).value
                if priority == 0:
                    break
                raw = ctypes.string_at(p + 1)
                langs.append((raw.decode("utf-8", "replace").lower(), priority))
                p += len(raw) + 2
            out.append(VoiceInfo(v.name.decode("utf-8", "replace"), v.identifier.decode(), tuple(langs)))
            i += 1
    return tuple(out)


@functools.lru_cache(maxsize=256)
def voice_for(language_code: str) -> str | None:
    """The identifier of eSpeak's voice for ``language_code`` (``fr`` -> ``roa/fr``, ``zh`` -> ``sit/cmn``,
    ``pt-BR`` -> ``roa/pt-BR``), or ``None`` when eSpeak has none. Raises :class:`AlignmentError` only
    when eSpeak cannot be loaded at all."""
    tag = language_code.strip().lower().replace("_", "-")
    if not tag:
        return None
    candidates = [tag]
    base = tag.split("-")[0]
    if base != tag:
        candidates.append(base)
    if base in _ALIASES:
        candidates.append(_ALIASES[base])
    if len(base) == 3:  # an ISO 639-3 / 639-2 code eSpeak may list under its ISO 639-1 code
        try:
            from ..language import parse_language

            code = parse_language(base).code
        except ValueError:
            code = base
        candidates.extend([code, _ALIASES.get(code, code)])
    voices = list_voices()
    for cand in dict.fromkeys(candidates):
        # the voice listing the language with the best priority; on a tie the one whose main language it is
        # (its first), then eSpeak's order
        ranked = [
            (priority, k, order, v.identifier)
            for order, v in enumerate(voices)
            for k, (lang, priority) in enumerate(v.languages)
            if lang == cand
        ]
        if ranked:
            return min(ranked)[3]
    return None


# ---------------------------------------------------------------- synthesis


def synthesize(
    text: str | Sequence[str],
    voice: str,
    *,
    rate_wpm: int = DEFAULT_RATE_WPM,
    pitch: int = DEFAULT_PITCH,
    word_gap: int = 0,
) -> Synthesis:
    """``text`` (a string, split at whitespace, or the tokens themselves) spoken by eSpeak's ``voice``
    (an identifier from :func:`voice_for`, a language such as ``fr``, optionally with a variant:
    ``de+m3``) at ``rate_wpm`` words per minute and ``pitch`` (0-100), with ``word_gap`` x 10 ms of
    silence between words (0: none, as eSpeak speaks). Raises :class:`AlignmentError` when eSpeak cannot
    load, has no such voice or fails."""
    # a token of the sequence holding whitespace is said as one word; an empty one is kept (never said)
    tokens = tuple(text.split()) if isinstance(text, str) else tuple("".join(t.split()) for t in text)
    joined = " ".join(tokens)
    eng = _get_engine()
    if not any(tokens):
        return Synthesis(
            np.zeros(0, np.int16),
            SAMPLE_RATE,
            tokens,
            (0,) * len(tokens),
            (False,) * len(tokens),
            (),
            eng.rate,
        )
    data = joined.encode("utf-8") + b"\0"
    with eng.lock:
        eng.set_voice(voice)
        eng.lib.espeak_SetParameter(_PARAM_RATE, int(rate_wpm), 0)
        eng.lib.espeak_SetParameter(_PARAM_PITCH, int(pitch), 0)
        eng.lib.espeak_SetParameter(_PARAM_WORDGAP, int(word_gap), 0)
        eng.chunks, eng.events = [], []
        try:
            err = eng.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            if err == 0:
                err = eng.lib.espeak_Synchronize()
            native = np.concatenate(eng.chunks) if eng.chunks else np.zeros(0, np.int16)
            events = tuple(eng.events)
        finally:
            eng.chunks, eng.events = [], []
    if err != 0:
        raise AlignmentError(f"eSpeak NG failed to speak the text (error {err}, voice {voice!r})")
    samples = resample(native, eng.rate, SAMPLE_RATE)
    starts_native, spoken = map_events(tokens, events, len(native))
    starts = tuple(min(len(samples), round(s * SAMPLE_RATE / eng.rate)) for s in starts_native)
    return Synthesis(samples, SAMPLE_RATE, tokens, starts, spoken, events, eng.rate)


def map_events(
    tokens: Sequence[str], events: Sequence[WordEvent], n_samples: int
) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """Per token of ``" ".join(tokens)``, the sample where it starts and whether eSpeak says it.

    An event belongs to the token holding its ``text_position`` (between two tokens: the next one); a
    token with several events starts at the first. Events are read in audio order and one that points
    back to an earlier token than the last one matched is dropped (so starts never go backwards). A spoken
    token with no event (merged into a neighbour) is placed between the known starts around it by
    characters; a token of punctuation only is unspoken and starts with the next spoken token."""
    n = len(tokens)
    offsets: list[int] = []
    pos = 0
    for t in tokens:
        offsets.append(pos)
        pos += len(t) + 1
    found: list[int | None] = [None] * n
    last = -1
    for e in sorted(events, key=lambda e: e.sample):
        k = _token_at(offsets, tokens, e.text_position - 1)
        if k is None or k < last:
            continue
        last = k
        if found[k] is None:
            found[k] = max(0, min(e.sample, n_samples))
    spoken = tuple(found[k] is not None or _is_word(t) for k, t in enumerate(tokens))
    starts: list[int] = [0] * n
    # known anchors: the tokens with an event; the text's start and end bound the others
    anchor_k = [k for k, s in enumerate(found) if s is not None]
    anchor_s = [s for s in found if s is not None]
    for k in range(n):
        s = found[k]
        if s is not None:
            starts[k] = s
            continue
        q = bisect.bisect_left(anchor_k, k)  # anchor_k[q - 1] < k < anchor_k[q]
        k0, s0 = (anchor_k[q - 1], anchor_s[q - 1]) if q > 0 else (-1, 0)
        k1, s1 = (anchor_k[q], anchor_s[q]) if q < len(anchor_k) else (n, n_samples)
        if not spoken[k]:
            starts[k] = s1
            continue
        c0 = offsets[k0] if k0 >= 0 else 0
        c1 = offsets[k1] if k1 < n else pos
        share = (offsets[k] - c0) / max(1, c1 - c0)
        starts[k] = round(s0 + share * (s1 - s0))
    for k in range(1, n):  # non-decreasing
        starts[k] = max(starts[k], starts[k - 1])
    return tuple(starts), spoken


def _token_at(offsets: Sequence[int], tokens: Sequence[str], char: int) -> int | None:
    """The index of the token holding character ``char`` of the joined text (a space: the next token)."""
    if char < 0 or not offsets:
        return None
    lo, hi = 0, len(offsets)
    while hi - lo > 1:  # the last token starting at or before ``char``
        mid = (lo + hi) // 2
        if offsets[mid] <= char:
            lo = mid
        else:
            hi = mid
    if char >= offsets[lo] + len(tokens[lo]):  # past its end: the separator before the next one
        return lo + 1 if lo + 1 < len(offsets) else None
    return lo


_WORD_CHAR = re.compile(r"\w", re.UNICODE)


def _is_word(token: str) -> bool:
    return bool(_WORD_CHAR.search(token))


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """``x`` (int16) from ``rate_in`` to ``rate_out`` Hz, band-limited through the FFT (exact for rates
    whose ratio is rational: 22,050 -> 16,000 is 441 -> 320 samples). Returns int16."""
    if rate_in == rate_out or not len(x):
        return np.asarray(x, dtype=np.int16).copy()
    g = np.gcd(rate_in, rate_out)
    step_in, step_out = rate_in // g, rate_out // g
    n_out = len(x) * rate_out // rate_in
    # a little zero padding (the FFT's wrap-around falls in silence), up to a 7-smooth block count so both
    # FFT sizes have small prime factors only (pocketfft is slow on large primes)
    blocks = _smooth_at_least(-(-len(x) // step_in) + 8)
    n_in = blocks * step_in
    spec = np.fft.rfft(np.asarray(x, dtype=np.float64), n_in)
    m = blocks * step_out
    keep = m // 2 + 1
    out_spec = spec[:keep] if keep <= len(spec) else np.pad(spec, (0, keep - len(spec)))
    y = np.fft.irfft(out_spec, m) * (m / n_in)
    out: np.ndarray = np.clip(np.round(y[:n_out]), -32768, 32767).astype(np.int16)
    return out


def _smooth_at_least(n: int) -> int:
    """The smallest number >= ``n`` without prime factors above 7."""
    while True:
        m = n
        for p in (2, 3, 5, 7):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def phonemes(text: str, voice: str) -> list[str]:
    """eSpeak's phonemes for ``text`` in ``voice`` (its ASCII names, stress marks and pauses left out)."""
    eng = _get_engine()
    data = ctypes.create_string_buffer(text.encode("utf-8"))
    ptr = ctypes.c_void_p(ctypes.addressof(data))
    out: list[str] = []
    with eng.lock:
        eng.set_voice(voice)
        for _ in range(100_000):  # one clause per call; eSpeak sets the pointer to NULL after the last
            if not ptr.value:
                break
            raw = eng.lib.espeak_TextToPhonemes(ctypes.byref(ptr), _CHARS_UTF8, _PHONEME_SEPARATOR)
            if raw:
                out.extend(_phone_names(raw.decode("utf-8", "replace")))
    return out


_STRESS = re.compile(r"[',|!=%]+")


def _phone_names(clause: str) -> list[str]:
    names = (_STRESS.sub("", p) for word in clause.split() for p in word.split("_"))
    return [p for p in names if p and any(ch.isalnum() or ch in "@&~:" for ch in p)]
