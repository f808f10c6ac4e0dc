"""Media I/O, the lowest of the media layers: ffmpeg lookup, probing, decoding, speech detection and mux.

The public entry points::

    decode_audio(path, stream=None, sample_rate=16000) -> np.ndarray   # int16 mono
    speech_mask(audio, sample_rate=16000) -> np.ndarray                # bool per 10 ms frame
    analyse_media(path, ...) -> AnalysedMedia                          # decode once + speech detection
    probe(path) -> MediaInfo
    mux(video, captions, output, languages=..., burn=False) -> None   # captionkit mux

``ffmpeg`` comes from ``$CAPTIONKIT_FFMPEG``, else ``PATH``, else the imageio-ffmpeg wheel; no ffprobe.
What is done with the speech lives above: :mod:`toolkit.sync` (offset, ratio, splits, turn sync,
retiming), :mod:`toolkit.align` (word times), :mod:`toolkit.pipeline` (``captionkit sync`` and
``convert --media``) and :mod:`toolkit.validate.media_checks` (``validate --media``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Light modules (no numpy) are imported now; these also keep the names ``probe`` and ``mux`` bound to the
# functions, not to the submodules of the same name.
from .ffmpeg import ffmpeg_exe
from .mux import mux
from .probe import MediaInfo, StreamInfo, probe

if TYPE_CHECKING:
    from .analyse import AnalysedMedia, analyse_media
    from .audio import decode_audio, load_media
    from .vad import speech_mask

__all__ = [
    "AnalysedMedia",
    "MediaInfo",
    "StreamInfo",
    "analyse_media",
    "decode_audio",
    "ffmpeg_exe",
    "load_media",
    "mux",
    "probe",
    "speech_mask",
]


def __getattr__(name: str) -> object:
    """The numpy-backed names, imported on first use (PEP 562): ``toolkit.media.decode`` starts ffmpeg
    before numpy is loaded."""
    value: object
    if name in ("decode_audio", "load_media"):
        from . import audio  # lazy: numpy (~80 ms) loads while ffmpeg already decodes

        value = getattr(audio, name)
    elif name in ("AnalysedMedia", "analyse_media"):
        from . import analyse  # lazy: numpy and webrtcvad

        value = getattr(analyse, name)
    elif name == "speech_mask":
        from . import vad  # lazy: numpy and webrtcvad

        value = vad.speech_mask
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
