"""Delivery formats: a caption document written as TTML (IMSC 1.1 Text Profile), SCC (CEA-608), ASS or SSA,
and read back from them (and from EBU STL), through the libraries made for each format.

What each library does, measured (ttconv 1.2.3, pycaption 2.3.14, pysubs2 1.8.1):

* ttconv writes IMSC 1.1 from its document model (regions, ``tts:fontStyle``/``fontWeight``/
  ``textDecoration``, ``xml:id``, ``ttp:contentProfiles``) and reads TTML, SCC and EBU STL into that
  model; it has no ``ttm:agent`` in its model (the reader drops it) and no EBU-TT-D writer. Its SCC
  writer lacks what captions need: no italics or underline, always the bottom rows, a line over 32
  columns is cut in the middle of a word and loses a character there (``fifty chara|ters``: its reflow
  compares a character with ``ord(' ')``), no limit of 4 rows, characters outside CEA-608 become spaces,
  the whole file turns roll-up when captions repeat the start of the one before (``Yes.``, ``Yes. I
  agree``), and a caption whose line-21 load would overlap the previous one is skipped with a log
  warning only (a 2.07 s cue after a 1 s cue was lost).
* pycaption's SCC writer encodes a caption well: PACs for the rows (top via the layout origin), column
  indents and tab offsets for centring, italics and underline by PAC and mid-row codes, 32-column
  ``textwrap`` wrapping. But it has no row limit (5 rows written), writes the extended characters
  (``’ “ ” — ï ü ß``...) without the standard character that CEA-608 decoders erase before them (so
  ``naïve`` decodes as ``nïve`` and ``“there”`` as ``“ther”``), writes any other character as ``£``, and
  its timing is off: the load is back-shifted with 1/30 s code words so End Of Caption lands 2-3
  frames early, the previous caption is cleared 2 frames before the next appears, and a load longer
  than 72 words is split into lines one frame apart.
* pysubs2 keeps the Name (actor) field, ``{\\i1}`` ``{\\b1}`` ``{\\u1}`` and ``{\\anN}`` as written, times
  in centiseconds (rounded); it does not escape a comma in the Name field (the next reader splits the
  line there), nor braces or ``\\N`` in text, nor turn ``\\an`` into SSA's ``\\a`` numbering; its
  ``parse_tags`` gives the italic/bold/underline state of each text fragment.

So this package builds ttconv's model for TTML (and adds the ``ttm:agent`` metadata to the tree the
writer returns), uses pycaption to encode each SCC caption into CEA-608 code words and lays those words
out in time itself (each load placed so that its End Of Caption lands on the cue's frame, the Erase
Displayed Memory at the cue's end frame, inserted into the next load when they overlap, as ttconv's
writer does), and uses pysubs2 for ASS and SSA. What a format cannot carry follows the format's guides
(CEA-608: 32 columns, 4 rows, its character set; ASS: no braces in text) and every change is a ``C015``
finding naming the cues:

========  ===========  =================  ==============  ==============================================
format    times        styling            speakers        position
========  ===========  =================  ==============  ==============================================
ttml      ms (frames   i b u              ``ttm:agent``   top/middle/bottom regions, textAlign
          with fps)                       + ``ttm:name``
scc       29.97 DF     i u (no bold)      labels          rows 1.. / 9.. / ..15, centred or left/right
          frames                          (speaker_style)
ass       centisecond  i b u              Name field      ``{\\anN}``
ssa       centisecond  i b (no u)         Name field      ``{\\aN}`` (SSA numbering)
========  ===========  =================  ==============  ==============================================

Reading gives a :class:`Captions` whose cue text is WebVTT cue-text syntax like every other document:
styles as ``<i> <b> <u>``, speakers as ``<v Name>`` (TTML ``ttm:agent``, the ASS Name field, upper-case
``NAME:`` labels in SCC), the position as the nearest ``{\\anN}`` cue settings.

The package, one module per format family behind one entry point:

* :mod:`.dispatch`: :func:`dumps_delivery`, :func:`loads_delivery`, :func:`delivery_format_for`; each
  format module (and its library) is imported only when its format is asked for.
* :mod:`.styled` (cue text <-> styled runs) and :mod:`.losses` (the ``C015`` report and the cue loop
  every writer runs): what all formats share.
* :mod:`.ttml`; :mod:`.scc` (writing) with :mod:`.cea608` (the character set) and :mod:`.scc_codes`
  (code words in time), :mod:`.scc_read`; :mod:`.ass` (ASS and SSA); :mod:`.stl` (read only);
  :mod:`.ttconv_model` (ttconv's model as cues, for the TTML, SCC and STL readers).
"""

from __future__ import annotations

from ..kinds import DELIVERY_FORMATS, EXTENSIONS, READ_FORMATS
from .dispatch import delivery_format_for, dumps_delivery, loads_delivery

__all__ = [
    "DELIVERY_FORMATS",
    "EXTENSIONS",
    "READ_FORMATS",
    "delivery_format_for",
    "dumps_delivery",
    "loads_delivery",
]
