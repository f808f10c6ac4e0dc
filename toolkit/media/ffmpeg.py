"""Find the ffmpeg binary and run it with clear errors.

Lookup order: ``$CAPTIONKIT_FFMPEG`` (a path or a command name), then ``ffmpeg`` on ``PATH``, then the
binary shipped in the ``imageio-ffmpeg`` wheel, so media works after ``pip install`` alone. ffprobe is
never needed: :mod:`toolkit.media.probe` reads ``ffmpeg -i``'s own report.

Every local path is passed to ffmpeg as ``file:/absolute/path`` so names with spaces, ``:``, ``'`` or a
leading ``-`` are never taken for an option or a protocol.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..errors import MediaError

__all__ = ["ENV_VAR", "ffmpeg_exe", "ffmpeg_input", "ffmpeg_message", "run_ffmpeg"]

ENV_VAR = "CAPTIONKIT_FFMPEG"


def ffmpeg_exe() -> str:
    """The ffmpeg binary to use (see the module docstring for the lookup order)."""
    forced = os.environ.get(ENV_VAR)
    if forced:
        found = (
            shutil.which(forced) if os.sep not in forced else (forced if os.access(forced, os.X_OK) else None)
        )
        if not found:
            raise MediaError(f"${ENV_VAR} is set to {forced!r}, which is not an executable ffmpeg")
        return found
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    try:
        import imageio_ffmpeg  # lazy: only when no ffmpeg is set or on PATH

        exe: str = imageio_ffmpeg.get_ffmpeg_exe()
        return exe
    except Exception as exc:  # imageio-ffmpeg raises RuntimeError when its binary is missing
        raise MediaError(
            f"ffmpeg not found: install it or the imageio-ffmpeg package, or set ${ENV_VAR} ({exc})"
        ) from None


def ffmpeg_input(path: str | os.PathLike[str]) -> str:
    """``path`` as an ffmpeg input/output URL that no file name can misread."""
    return "file:" + os.path.abspath(os.fspath(path))


def ffmpeg_message(stderr: bytes | str, *, lines: int = 3) -> str:
    """The last meaningful lines of ffmpeg's stderr, joined on one line."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    kept = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("  ")]
    return " | ".join(kept[-lines:]) or "no message"


def check_input(path: str | os.PathLike[str]) -> Path:
    """Fail early, without ffmpeg, for a missing input or a directory."""
    p = Path(path)
    if not p.exists():
        raise MediaError("no such media file", path=str(path))
    if p.is_dir():
        raise MediaError("is a directory, not a media file", path=str(path))
    if not p.is_file():  # a named pipe would block the reader forever
        raise MediaError("not a regular file (a pipe, device or socket): not read", path=str(path))
    return p


def run_ffmpeg(
    args: Sequence[str],
    *,
    path: str | None = None,
    check: bool = True,
    exe: str | None = None,
    cwd: str | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``ffmpeg -hide_banner -nostdin ARGS`` and capture its output.

    With ``check``, a non-zero exit raises :class:`MediaError` carrying ffmpeg's own message.
    """
    cmd = [exe or ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False, cwd=cwd)
    except OSError as exc:
        raise MediaError(f"cannot run ffmpeg ({cmd[0]}): {exc.strerror}", path=path) from None
    if check and proc.returncode != 0:
        raise MediaError(f"ffmpeg failed: {ffmpeg_message(proc.stderr)}", path=path)
    return proc
