"""Caption profiles: the layout and timing limits of a style guide (sources cited per profile)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    max_chars_per_line: int
    max_lines: int
    max_cps: float  # reading speed, characters per second, spaces and punctuation counted
    min_duration_ms: int
    max_duration_ms: int
    min_gap_ms: int
    chain_gap_ms: int  # gaps up to this are closed to min_gap_ms ("chaining"); 0 = never

    def with_overrides(self, **overrides: Any) -> Profile:
        """A copy with the given limits replaced (``None`` values are ignored)."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown profile settings: {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


PROFILES: dict[str, Profile] = {
    "netflix": Profile("netflix", 42, 2, 20.0, 833, 7000, 83, 500),
    "bbc": Profile("bbc", 37, 2, 15.0, 1000, 7000, 83, 500),
    "relaxed": Profile("relaxed", 50, 3, 25.0, 500, 10000, 0, 0),
    # Netflix's per-language guides: Simplified Chinese 16 characters a line, 9 characters/s; Japanese
    # (adult programmes) 13 full-width characters a line (horizontal subtitles), 4 characters/s. Both:
    # 2 lines, 5/6 s to 7 s, 2-frame gaps (the general requirements). Characters are counted as written
    # (each Chinese or Japanese character, punctuation mark or Latin letter counts 1).
    "netflix-zh": Profile("netflix-zh", 16, 2, 9.0, 833, 7000, 83, 500),
    "netflix-ja": Profile("netflix-ja", 13, 2, 4.0, 833, 7000, 83, 500),
}
DEFAULT_PROFILE = "netflix"
# the profile a transcript in this language gets when none is chosen (`convert` without --profile or limits)
LANGUAGE_PROFILES = {"zh": "netflix-zh", "ja": "netflix-ja"}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose from {', '.join(PROFILES)}") from None
