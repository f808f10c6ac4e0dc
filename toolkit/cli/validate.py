"""`captionkit validate` (placeholder until the validate module lands)."""

from __future__ import annotations

import click


@click.command()
@click.argument("files", nargs=-1)
def validate(files: tuple[str, ...]) -> None:
    """Check transcripts and caption files for timing problems."""
    raise click.ClickException("validate is not implemented yet")
