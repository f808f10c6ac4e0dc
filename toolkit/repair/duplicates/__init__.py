"""Duplicates at every grain: whole turns, runs of turns, and sentences glued into another turn.

Step 2 of the repair stage (:mod:`toolkit.repair.stage` runs it after the speakers are merged and before
the timeline is put in order). :func:`find_duplicates` (:mod:`~toolkit.repair.duplicates.search`) runs the
parts in order:

1. The search works on sentences (:mod:`~toolkit.repair.duplicates.anchors`). Each sentence of 4+ words is
   compared with rapidfuzz against the earlier sentences filed under the same keys, by the same speaker,
   within a window of sentences and time; the search is linear in the number of sentences. A changed word
   or two keeps at least one key, and the similarity test allows them.
2. Matches ("anchors") that advance together form a *run*: a stretch of the transcript repeated later.
   Short sentences between and around the anchors ("Yes.") join the run when they match too
   (:mod:`~toolkit.repair.duplicates.run_pairs`). A run is a duplicate when its anchors total
   :attr:`~toolkit.repair.params.RepairParams.min_run_words` words. So "Yes." said six times is never a
   duplicate, but a "Yes." inside a repeated exchange is removed with it. Echoes by the other speaker never
   match (the speaker must be the same).
3. For each run the copy to keep is decided by the timeline (:mod:`~toolkit.repair.duplicates.keep_choice`):
   both choices are priced with :func:`~toolkit.repair.evidence.sequence_cost` over the turns around them;
   the first copy is kept unless keeping the later one is clearly cheaper.
4. The runs become one :class:`Removal` per turn, which :func:`apply_removals` cuts out
   (:mod:`~toolkit.repair.duplicates.removal`).
"""

from __future__ import annotations

from .anchors import DuplicateRun
from .keep_choice import describe_run
from .removal import Removal, apply_removals
from .search import find_duplicates

__all__ = ["DuplicateRun", "Removal", "apply_removals", "describe_run", "find_duplicates"]
