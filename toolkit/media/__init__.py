"""Everything that touches media: ffmpeg lookup, probing, decoding, speech detection, sync and mux.

The public entry points::

    decode_audio(path, stream=None, sample_rate=16000) -> np.ndarray   # int16 mono
    speech_mask(audio, sample_rate=16000) -> np.ndarray                # bool per 10 ms frame
    probe(path) -> MediaInfo
    sync_captions(captions, media) -> SyncOutcome                      # captionkit sync
    apply_media(turns, options, path=...) -> MediaResult               # convert --media
    media_findings(doc, media_path) -> list[Finding]                   # validate --media
    mux(video, captions, output, languages=..., burn=False) -> None   # captionkit mux

``ffmpeg`` comes from ``$CAPTIONKIT_FFMPEG``, else ``PATH``, else the imageio-ffmpeg wheel; no ffprobe.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Light modules (no numpy) are imported now; these also keep the names ``probe`` and ``mux`` bound to the
# functions, not to the submodules of the same name.
from .ffmpeg import ffmpeg_exe
from .mux import mux
from .probe import MediaInfo, StreamInfo, probe

if TYPE_CHECKING:
    from .audio import decode_audio, load_media
    from .stages import analyse_media, apply_media, sync_captions
    from .sync import SyncParams, SyncResult, find_sync
    from .vad import speech_mask
    from .validate import media_findings

# Imported on first use (PEP 562), so ``toolkit.media.decode`` can start ffmpeg before numpy is loaded.
_HOME = {
    "SyncParams": "sync",
    "SyncResult": "sync",
    "analyse_media": "stages",
    "apply_media": "stages",
    "decode_audio": "audio",
    "find_sync": "sync",
    "load_media": "audio",
    "media_findings": "validate",
    "speech_mask": "vad",
    "sync_captions": "stages",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__all__ = [
    "MediaInfo",
    "StreamInfo",
    "SyncParams",
    "SyncResult",
    "analyse_media",
    "apply_media",
    "decode_audio",
    "ffmpeg_exe",
    "find_sync",
    "load_media",
    "media_findings",
    "mux",
    "probe",
    "speech_mask",
    "sync_captions",
]
