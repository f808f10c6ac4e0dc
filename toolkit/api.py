"""The library in a few calls, in the style of pysubs2 and srt::

    import toolkit as captionkit

    doc = captionkit.convert("interview.txt")          # a transcript (or caption file) -> captions
    doc.save("interview.srt")

    subs = captionkit.load("film.srt")                   # a caption file, cue for cue
    subs.shift(s=2.5).filter(lambda c: c.plain != "[music]").save("film.vtt")

Every function returns an immutable :class:`~toolkit.captions.Captions` document; its ``findings`` say
what was repaired, dropped or reported on the way (the same findings as the command line's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .captions import Caption, Captions, load, loads
from .pipeline import ConvertOptions, as_captions, convert_file
from .profiles import DEFAULT_PROFILE, get_profile

__all__ = ["Caption", "Captions", "convert", "load", "loads"]


def convert(
    path: str | Path,
    *,
    profile: str | None = None,
    media: str | Path | None = None,
    resegment: bool = False,
    **options: Any,
) -> Captions:
    """Convert a transcript (any layout captionkit reads) or a caption file into captions.

    ``profile`` names a caption standard (``toolkit.PROFILES``; by default the command line's);
    ``media`` times the cues to the speech of a video or audio file; ``resegment`` re-cuts a caption
    file's cues to the profile. Other keyword arguments are the fields of
    :class:`toolkit.pipeline.ConvertOptions` (``speaker_style``, ``repair``, ``align``,
    ``word_timestamps``, ``vad``, ...). Speakers become WebVTT voices, written as labels in SRT.
    """
    opts = ConvertOptions(
        profile=get_profile(profile or DEFAULT_PROFILE),
        media=str(media) if media is not None else None,
        resegment=resegment,
        **options,
    )
    return as_captions(convert_file(path, opts))
