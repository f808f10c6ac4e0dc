"""The command line: thin click commands over the library (one module per command group)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

import click

from .. import __version__
from ..errors import ToolkitError

# A command's module (and what it imports) is loaded only when that command runs or help lists it, so
# `captionkit sync` starts ffmpeg sooner: each loader below imports one command module.


def _convert() -> click.Command:
    from .convert import convert  # lazy: the pipeline (see above)

    return convert


def _mux() -> click.Command:
    from .media import mux  # lazy: ffmpeg and the media stages

    return mux


def _repair() -> click.Command:
    from .repair import repair  # lazy: the parser and repair

    return repair


def _review() -> click.Command:
    from .review import review  # lazy: the review page

    return review


def _sync() -> click.Command:
    from .media import sync  # lazy: ffmpeg and the media stages

    return sync


def _validate() -> click.Command:
    from .validate import validate  # lazy: the validator

    return validate


_COMMANDS: dict[str, Callable[[], click.Command]] = {
    "convert": _convert,
    "mux": _mux,
    "repair": _repair,
    "review": _review,
    "sync": _sync,
    "validate": _validate,
}


class _Group(click.Group):
    """Loads its commands lazily (see ``_COMMANDS``).

    Turns any ToolkitError that escapes a command into a one-line message and exit code 1.

    Anything else is a bug in captionkit: it is reported in one line too (the traceback goes to the log,
    shown with -vv), so users never face a traceback.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            self.add_command(_COMMANDS[cmd_name](), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # the machine's (a full disk, a closed pipe), reported like a ToolkitError
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            logging.getLogger("toolkit").debug("internal error", exc_info=True)
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc} (a bug in captionkit; -vv shows the traceback)"
            ) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="captionkit")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """captionkit: turn transcripts into standard SRT/WebVTT captions timed to the video.

    \b
    Example:
        captionkit convert samples/tucker_lavrov.txt -o interview.srt
        captionkit validate samples/*.txt
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main() -> None:
    # numpy's OpenBLAS starts a thread per core at import, which spin for ~60 ms of CPU; captionkit does
    # no BLAS-sized linear algebra, and its parallel work (ffmpeg, batch workers) needs those cores
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        cli(prog_name="captionkit")
    finally:
        _flush_stdout()


def _flush_stdout() -> None:
    """What a command printed must reach its destination: a full disk or a closed pipe behind stdout is an
    error (exit 1, one line), not a traceback at exit."""
    stream = sys.stdout
    if stream is None or stream.closed:
        return
    try:
        stream.flush()
    except OSError as exc:
        try:
            sys.stdout = None  # nothing more can be written there; keep the exit from trying again
            click.echo(f"Error: <stdout>: cannot write: {exc.strerror or exc}", err=True)
        finally:
            os._exit(1)
