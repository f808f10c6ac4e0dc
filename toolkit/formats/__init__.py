"""Caption writers: SRT (through pysrt) and WebVTT (through webvtt-py), with the checks they lack.

Both writers sort the cues by start, write strict timestamps from :mod:`toolkit.timecode`, number SRT
cues 1..n, use UTF-8 text with LF line ends and end with one newline. Two speakers in one cue are
written in the dash style (``-Yes.`` / ``-No, NATO.``).
"""

from __future__ import annotations

from .srt import SPEAKER_STYLES, speaker_label, write_srt
from .vtt import escape_vtt, write_vtt

__all__ = ["SPEAKER_STYLES", "escape_vtt", "speaker_label", "write_srt", "write_vtt"]
