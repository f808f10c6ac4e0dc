"""The caption rules, each implemented once: what a viewer sees of a cue, checked against a profile.

- :mod:`toolkit.checks.limits`: the profile's limits C001-C006 (line length, lines, reading speed,
  duration, gap) over cues as shown; the segmenter checks the cues it makes with it, ``validate`` the
  cues of a file.
- :mod:`toolkit.checks.caption_rules`: every ``C`` rule over the blocks of an SRT or WebVTT file (the
  limits above plus syntax, order, overlap, markup), one function per rule of :data:`toolkit.rules.RULES`;
  ``validate`` runs them on files, the pipeline on the caption documents it converts.
- :mod:`toolkit.checks.cue_view`: what those checks read (the block protocol, the file's context, the text
  as shown).

The package sits just above reading (``captions/``, ``parse/``) and below the segmenter, the pipeline and
``validate``, so every stage that needs a rule calls the one implementation.
"""
