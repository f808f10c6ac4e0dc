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

from .audio import decode_audio, load_media
from .ffmpeg import ffmpeg_exe
from .mux import mux
from .pipeline import analyse_media, apply_media, sync_captions
from .probe import MediaInfo, StreamInfo, probe
from .sync import SyncParams, SyncResult, find_sync
from .vad import speech_mask
from .validate import media_findings

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
