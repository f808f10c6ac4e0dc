"""`captionkit repair` (placeholder until the repair module lands)."""

from __future__ import annotations

import click


@click.command()
@click.argument("path")
def repair(path: str) -> None:
    """Repair duplicated, misordered and mistimed turns in a transcript."""
    raise click.ClickException("repair is not implemented yet")
