"""How SRT's styling is carried in WebVTT terms: ``{\\anN}`` as cue settings, ``<font color>`` and ``<s>``
as classes. The SRT reader (:mod:`toolkit.captions.srt`) maps SRT markup with these; the SRT writer
(:mod:`toolkit.captions.write`) maps it back.
"""

from __future__ import annotations

# {\anN} <-> WebVTT settings: rows bottom/middle/top, columns left/centre/right
ALIGNMENT_SETTINGS: dict[int, tuple[tuple[str, str], ...]] = {}
for _n in range(1, 10):
    _row, _col = divmod(_n - 1, 3)
    _settings: list[tuple[str, str]] = []
    if _row == 1:
        _settings.append(("line", "50%,center"))
    elif _row == 2:
        _settings.append(("line", "0"))
    if _col == 0:
        _settings.append(("align", "left"))
    elif _col == 2:
        _settings.append(("align", "right"))
    ALIGNMENT_SETTINGS[_n] = tuple(_settings)

FONT_CLASS = "font-color-"  # <font color="#ff0000"> -> <c.font-color-ff0000>
STRIKE_CLASS = "strike"
