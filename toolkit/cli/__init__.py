"""The command line: thin click commands over the library (one module per command group)."""

from __future__ import annotations

import logging
import sys

import click

from .. import __version__
from ..errors import ToolkitError


class _Group(click.Group):
    """Turns any ToolkitError that escapes a command into a one-line message and exit code 1.

    Anything else is a bug in captionkit: it is reported in one line too (the traceback goes to the log,
    shown with -vv), so users never face a traceback.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            raise click.ClickException(str(exc)) from None
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


def _register() -> None:
    from . import convert, media, repair, validate

    cli.add_command(convert.convert)
    cli.add_command(repair.repair)
    cli.add_command(validate.validate)
    cli.add_command(media.sync)
    cli.add_command(media.mux)


_register()


def main() -> None:
    cli(prog_name="captionkit")
