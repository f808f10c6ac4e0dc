"""`captionkit sync` and `captionkit mux` (placeholders until the media module lands)."""

from __future__ import annotations

import click


@click.command()
@click.argument("captions")
def sync(captions: str) -> None:
    """Synchronise captions to the speech in a media file."""
    raise click.ClickException("sync is not implemented yet")


@click.command()
@click.argument("video")
def mux(video: str) -> None:
    """Add caption tracks to a video."""
    raise click.ClickException("mux is not implemented yet")
