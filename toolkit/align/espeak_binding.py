"""eSpeak NG through ctypes: loading the library, its voices, its phonemes, and the raw synthesis call.

The shared library and its voice data come from the ``espeakng-loader`` wheel (eSpeak NG 1.52, 21 MB,
about 100 languages, no system package needed; a system ``espeak-ng`` is never used). The library is
loaded and initialised once per process (``AUDIO_OUTPUT_SYNCHRONOUS``, so ``espeak_Synth`` returns when
the whole text is spoken) and every call goes through one lock: eSpeak keeps its voice, parameters and
callback in global state.

:func:`voice_for` maps a language code (ISO 639-1 ``fr``, ISO 639-3 ``fra``, a BCP 47 tag ``pt-BR``;
``zh`` is Mandarin, ``cmn``) to the identifier of eSpeak's voice for it (``roa/fr``), or ``None``.
:func:`phonemes` gives eSpeak's phonemes of a text (for phone counts). :meth:`Engine.speak` returns the
samples at eSpeak's own rate and its WORD events; :mod:`toolkit.align.espeak` turns them into a
:class:`~toolkit.align.espeak.Synthesis` for the DTW aligner (:mod:`toolkit.align.dtw`).

Errors: :class:`~toolkit.errors.AlignmentError` with the reason when the wheel is missing, its library
or data folder cannot be loaded (``espeak_Initialize`` runs with ``espeakINITIALIZE_DONT_EXIT``, so a
broken install cannot end the process), a voice is unknown, or a synthesis fails.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import AlignmentError
from ..language import parse_language

log = logging.getLogger(__name__)

__all__ = ["Engine", "VoiceInfo", "WordEvent", "get_engine", "list_voices", "phonemes", "voice_for"]

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
    """One of eSpeak's voices: ``identifier`` (``roa/fr``) is what
    :func:`toolkit.align.espeak.synthesize` takes."""

    name: str
    identifier: str
    languages: tuple[tuple[str, int], ...]  # (language, priority: lower is a better match)


class Engine:
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

    def speak(
        self, text: str, voice: str, *, rate_wpm: int, pitch: int, word_gap: int
    ) -> tuple[np.ndarray, tuple[WordEvent, ...]]:
        """``text`` spoken by ``voice``: int16 samples at eSpeak's own rate (``self.rate``) and the WORD
        events. Raises :class:`AlignmentError` when eSpeak fails."""
        data = text.encode("utf-8") + b"\0"
        with self.lock:
            self.set_voice(voice)
            self.lib.espeak_SetParameter(_PARAM_RATE, int(rate_wpm), 0)
            self.lib.espeak_SetParameter(_PARAM_PITCH, int(pitch), 0)
            self.lib.espeak_SetParameter(_PARAM_WORDGAP, int(word_gap), 0)
            self.chunks, self.events = [], []
            try:
                err = self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
                if err == 0:
                    err = self.lib.espeak_Synchronize()
                native = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)
                events = tuple(self.events)
            finally:
                self.chunks, self.events = [], []
        if err != 0:
            raise AlignmentError(f"eSpeak NG failed to speak the text (error {err}, voice {voice!r})")
        return native, events


def _load() -> tuple[Any, int]:
    """The initialised library and its output rate (Hz)."""
    try:
        import espeakng_loader  # type: ignore[import-untyped]  # lazy: no wheel is an AlignmentError
    except ImportError as exc:
        raise AlignmentError(
            "eSpeak NG is not installed: the aligner for languages other than English needs the "
            "espeakng-loader wheel (pip install espeakng-loader)"
        ) from exc
    try:
        lib_path = str(espeakng_loader.get_library_path())
        data_path = str(espeakng_loader.get_data_path())
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
_engine: Engine | None = None


def get_engine() -> Engine:
    """The process's one :class:`Engine`, loaded on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine


# ---------------------------------------------------------------- voices

# languages eSpeak lists under another code than the one a transcript is tagged with
_ALIASES = {"zh": "cmn", "zho": "cmn", "chi": "cmn", "no": "nb", "in": "id", "iw": "he"}


@functools.lru_cache(maxsize=1)
def list_voices() -> tuple[VoiceInfo, ...]:
    """All of eSpeak's voices (141 in 1.52), in its own order."""
    eng = get_engine()
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


# ---------------------------------------------------------------- phonemes


def phonemes(text: str, voice: str) -> list[str]:
    """eSpeak's phonemes for ``text`` in ``voice`` (its ASCII names, stress marks and pauses left out)."""
    eng = get_engine()
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
