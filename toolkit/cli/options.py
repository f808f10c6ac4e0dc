"""Option bundles shared by several commands (sqlite-utils style decorators)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import click

from ..language import parse_language
from ..profiles import DEFAULT_PROFILE, LANGUAGE_PROFILES, PROFILES, Profile, get_profile
from ..timecode import TimecodeError, parse_timestamp

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class ProfileChoice:
    """``--profile`` and the limits overriding it, as given on the command line (see :func:`profile_options`).

    ``given``: the profile was chosen on the command line (``--profile`` or a limit); if not, a language's
    own profile may replace the default.
    """

    profile_name: str = DEFAULT_PROFILE
    max_chars: int | None = None
    max_lines: int | None = None
    max_cps: float | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    min_gap: int | None = None
    given: bool = False

    def build(self, language: str | None = None) -> Profile:
        """The profile with its overrides; when none was given, ``language``'s own profile if it has one
        (Chinese and Japanese)."""
        profile = get_profile(self.profile_name).with_overrides(
            max_chars_per_line=self.max_chars,
            max_lines=self.max_lines,
            max_cps=self.max_cps,
            min_duration_ms=self.min_duration,
            max_duration_ms=self.max_duration,
            min_gap_ms=self.min_gap,
        )
        if profile.min_duration_ms >= profile.max_duration_ms:
            raise click.UsageError("--min-duration must be below --max-duration")
        if language is not None and not self.given:
            code = parse_language(language).code
            if code in LANGUAGE_PROFILES:
                return PROFILES[LANGUAGE_PROFILES[code]]
        return profile


# the options that choose a profile (ProfileChoice's fields)
_PROFILE_PARAMS = (
    "profile_name",
    "max_chars",
    "max_lines",
    "max_cps",
    "min_duration",
    "max_duration",
    "min_gap",
)


def profile_given() -> bool:
    """Whether the current command's profile was chosen on the command line (``--profile`` or a limit):
    if not, a language's own profile may replace the default."""
    ctx = click.get_current_context()
    sources = (ctx.get_parameter_source(name) for name in _PROFILE_PARAMS)
    return any(src not in (None, click.core.ParameterSource.DEFAULT) for src in sources)


def profile_options(fn: F) -> F:
    """--profile plus one override per limit, passed to the command as one ``profile`` (a
    :class:`ProfileChoice`)."""

    @functools.wraps(fn)
    def with_profile(*args: Any, **kwargs: Any) -> Any:
        chosen = {name: kwargs.pop(name) for name in _PROFILE_PARAMS}
        return fn(*args, profile=ProfileChoice(**chosen, given=profile_given()), **kwargs)

    decorators = [
        click.option(
            "--profile",
            "profile_name",
            type=click.Choice(sorted(PROFILES)),
            default=DEFAULT_PROFILE,
            show_default=True,
            help="Caption style guide to follow.",
        ),
        click.option("--max-chars", type=click.IntRange(10, 200), help="Characters per line."),
        click.option("--max-lines", type=click.IntRange(1, 5), help="Lines per cue."),
        click.option(
            "--max-cps", type=click.FloatRange(1, 100), help="Reading speed, characters per second."
        ),
        click.option("--min-duration", type=click.IntRange(0, 60000), help="Minimum cue duration, ms."),
        click.option("--max-duration", type=click.IntRange(100, 600000), help="Maximum cue duration, ms."),
        click.option("--min-gap", type=click.IntRange(0, 10000), help="Minimum gap between cues, ms."),
    ]
    wrapped: Callable[..., Any] = with_profile
    for d in reversed(decorators):
        wrapped = d(wrapped)
    return cast(F, wrapped)


def parse_duration(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """Click callback: a media duration as 1:21:17, 81:17, 4877 or 4877.5 (seconds) -> ms."""
    if value is None:
        return None
    text = value.strip()
    try:
        if ":" in text:
            return parse_timestamp(text)
        return round(float(text) * 1000)
    except (TimecodeError, ValueError):
        raise click.BadParameter(f"{value!r} is not a duration (use H:MM:SS or seconds)") from None


def parse_language_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: ``--language`` checked (ISO 639-1/-3 or BCP 47) and passed on as given."""
    if value is None:
        return None
    try:
        return parse_language(value).tag
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def duration_option(fn: F) -> F:
    """--duration H:MM:SS, the media duration."""
    return click.option(
        "--duration",
        callback=parse_duration,
        metavar="H:MM:SS",
        help="Media duration, to end the last cue and check times against it.",
    )(fn)


def fps_option(fn: F) -> F:
    """--fps, for HH:MM:SS:FF timestamps."""
    return click.option(
        "--fps", type=click.FloatRange(1, 240), help="Frame rate for HH:MM:SS:FF timestamps (default 25)."
    )(fn)


def vad_option(choices: tuple[str, ...], default: str, help: str) -> Callable[[F], F]:
    """``--vad``: which speech detector reads the media (see toolkit.media.vad)."""

    def wrap(fn: F) -> F:
        return click.option(
            "--vad", type=click.Choice(choices), default=default, show_default=True, help=help
        )(fn)

    return wrap


def audio_stream_option(fn: F) -> F:
    """``--audio-stream a:N`` for the commands that read media (the same help everywhere)."""
    return click.option(
        "--audio-stream",
        metavar="a:N",
        help="The media's audio stream to use, e.g. a:1 (default: the one flagged default, else the first).",
    )(fn)


# options that convert and review share (review converts as convert does before it draws the page)
speakers_option = click.option(
    "--speakers",
    "speakers_path",
    type=click.Path(dir_okay=False),
    help="Speaker-name mapping (JSON object or 'variant = Name' lines) overriding the automatic merge.",
)
no_repair_option = click.option(
    "--no-repair", is_flag=True, help="Do not repair duplicates and misordered turns."
)
align_option = click.option(
    "--align",
    type=click.Choice(["words", "sync", "none"]),
    default="words",
    show_default=True,
    help="With --media: word-level forced alignment, turn sync only, or nothing.",
)
transcript_language_option = click.option(
    "--language",
    callback=parse_language_option,
    metavar="CODE",
    help="The transcript's language: ISO 639-1 (fr), ISO 639-3 (fra) or BCP 47 (zh-Hans); default: "
    "detected from the text. With --media: English is aligned by pocketsphinx, other languages by "
    "eSpeak NG + DTW (turn sync only where eSpeak NG has no voice).",
)
lenient_option = click.option(
    "--lenient",
    is_flag=True,
    help="WebVTT input: keep cues that browsers drop (e.g. 00:00:01,000 with a comma), with a finding.",
)


def media_vad_option(fn: F) -> F:
    """``--vad`` for a conversion timed to media (Silero by default)."""
    return vad_option(
        ("silero", "webrtc"),
        "silero",
        "With --media: the speech detector (webrtc is faster, weaker on real voices).",
    )(fn)


def speaker_pairs(path: str | None) -> tuple[tuple[str, str], ...]:
    """The ``(variant, name)`` pairs of a ``--speakers`` file, or none."""
    if not path:
        return ()
    from ..repair.speakers import load_speaker_map  # lazy: loads the transcript parser (25 ms at start-up)

    return tuple(load_speaker_map(path).items())
