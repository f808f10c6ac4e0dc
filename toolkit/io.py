"""File input and output: decoding with detection, and atomic writes that never touch an input."""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from .errors import InputError, OutputError

__all__ = [
    "STDIN",
    "LiveLine",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_writer",
    "decode_bytes",
    "guess_code_page",
    "is_terminal",
    "mixes_scripts",
    "normalise_text",
    "read_bytes",
    "read_text",
    "reads_as_cp1252",
    "refuse_inputs",
    "utf8",
    "valid_text",
    "walk_folder",
]


def decode_bytes(data: bytes, *, path: str = "<input>") -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    UTF-8 (with or without BOM) and UTF-16 (with BOM, or detected from NUL bytes) are recognised; other
    text is cp1252, the usual encoding of old Windows transcripts, when it reads as Western text, else the
    code page chardet names (cp1251, Shift-JIS, ...). Binary data (NUL bytes that
    are not UTF-16, or control characters) raises :class:`InputError`. Newlines are normalised to ``\\n``,
    and NBSP, zero-width characters and the BOM are removed or replaced.
    """
    if not data.strip():
        raise InputError("file is empty", path=path)
    encoding: str
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:  # an odd byte count, a lone surrogate: a damaged UTF-16 file
            raise InputError(f"cannot decode as UTF-16 (byte {exc.start}: {exc.reason})", path=path) from None
    elif b"\x00" in data:
        text, encoding = _guess_utf16(data, path)
    else:
        # a UTF-8 BOM followed by bytes that are not UTF-8 (an editor added the BOM to a cp1252 file)
        body, utf8 = (data[3:], "utf-8-sig") if data.startswith(codecs.BOM_UTF8) else (data, "utf-8")
        try:
            text, encoding = body.decode("utf-8"), utf8
        except UnicodeDecodeError:
            text, encoding = _legacy(body, path)
    bad = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if bad > 2:
        raise InputError("looks like a binary file, not text", path=path)
    return normalise_text(text), encoding


# the symbols of cp1252 that Western text uses (not ³ and ¹: Polish cp1250's ł and ą read as cp1252)
_CP1252_PUNCTUATION = frozenset("¿¡«»€£°–—“”‘’…·×©®™§±²†‡¢¼½¾µ¶•‰‹›ƒ¬¦¨¯´¸ªº")
_WORD = re.compile(r"[^\W\d_]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def reads_as_cp1252(data: bytes) -> bool:
    """Whether ``data`` read as cp1252 looks like Western text: every non-ASCII character a letter or
    Western punctuation (Polish cp1250 read so gives "Za¿ó³æ": ³ is no letter), and no word of three
    letters or more without an ASCII one (Russian cp1251 read so gives "Ïðèâåò"; French gives "été")."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    if not all(c.isalpha() or c in _CP1252_PUNCTUATION for c in text if not c.isascii()):
        return False
    words = _WORD.findall(text)
    return not any(len(w) >= 3 and not w.isascii() and not _ASCII_LETTER.search(w) for w in words)


def mixes_scripts(data: bytes, encoding: str) -> bool:
    """Whether ``data`` read in ``encoding`` has a word that mixes ASCII letters with letters of another
    script ("ιtι": Greek and Latin), which no language writes: the code page is wrong. Latin letters with
    accents stay Latin (Czech read as ISO-8859-2 is right)."""
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    for word in _WORD.findall(text):
        if word.isascii() or not _ASCII_LETTER.search(word):
            continue
        if any(not c.isascii() and not unicodedata.name(c, "").startswith("LATIN") for c in word):
            return True
    return False


def guess_code_page(data: bytes) -> str:
    """chardet's name for the legacy code page of ``data`` (cp1252 when it has none)."""
    import chardet  # lazy: 15 ms at start-up, and only a legacy code page needs it

    return str(chardet.detect(data[:65536]).get("encoding") or "cp1252")


def _legacy(body: bytes, path: str) -> tuple[str, str]:
    """A transcript that is not UTF-8: cp1252 (old Windows transcripts) when it reads as Western text
    (letters, and the symbols Western text uses: ’ ™ § ½ °, ...); else the code page chardet names unless
    that mixes scripts within a word; else cp1252."""
    if reads_as_cp1252(body):
        return body.decode("cp1252"), "cp1252"
    guess = guess_code_page(body)
    if guess.lower().replace("-", "") not in ("cp1252", "windows1252") and not mixes_scripts(body, guess):
        try:
            return body.decode(guess), codecs.lookup(guess).name
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot decode as UTF-8, cp1252 or {guess} (byte {exc.start})", path=path) from None


def _guess_utf16(data: bytes, path: str) -> tuple[str, str]:
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) / 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        codec = "utf-16-le"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        codec = "utf-16-be"
    else:
        raise InputError("looks like a binary file, not text", path=path)
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        raise InputError("looks like a binary file, not text", path=path) from None


_REPLACE = {
    "\u00a0": " ",  # NBSP
    "\u202f": " ",  # narrow NBSP
    "\u2007": " ",  # figure space
    "\u200b": "",  # zero-width space (web pages scatter it between labels and timestamps)
    "\ufeff": "",  # BOM / ZWNBSP inside text
    # ZWJ and ZWNJ are kept (emoji sequences, Persian and Indic spelling need them), and so is the word
    # joiner, with which captionkit's SRT keeps '<b>' and '-->' in text from reading as markup
    "\u2028": "\n",
    "\u2029": "\n",
}
_TABLE = str.maketrans(_REPLACE)
_NEEDS_NORMALISING = re.compile("[\r" + "".join(_REPLACE) + "]")


def normalise_text(text: str) -> str:
    """CRLF/CR to LF; NBSP to space; zero-width spaces and stray BOMs removed."""
    if not _NEEDS_NORMALISING.search(text):  # translate() is slow on non-ASCII text; most files need nothing
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_TABLE)


def read_bytes(path: str | Path) -> bytes:
    """Read a file, with clear errors for missing, directory, unreadable and special paths (a named pipe
    would block forever, a link to /dev/zero would fill the memory: only regular files are read)."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a directory, not a file", path=str(path))
        if not stat.S_ISREG(mode):
            raise InputError("not a regular file (a pipe, device or socket): not read", path=str(path))
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from None


STDOUT = "<stdout>"
STDIN = "<stdin>"  # how standard input (the path ``-``) is named in messages and reports


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode a file, or standard input for ``-`` (see :func:`read_bytes`, :func:`decode_bytes`)."""
    return decode_bytes(read_input(path), path=STDIN if str(path) == "-" else str(path))


def read_input(path: str | Path) -> bytes:
    """The bytes of a file, or of standard input for ``-``."""
    if str(path) == "-":
        return sys.stdin.buffer.read()
    return read_bytes(path)


def refuse_inputs(target: Path, protect: Iterable[str | Path]) -> None:
    """Raise :class:`OutputError` when ``target`` is one of the ``protect`` paths (or a link to one)."""
    for p in protect:
        try:
            same = target.resolve() == Path(p).resolve() or (target.exists() and os.path.samefile(target, p))
        except (FileNotFoundError, OSError):
            continue
        if same:
            raise OutputError("refusing to overwrite an input file", path=str(target))


def _new_file_mode() -> int:
    """The mode a plainly created file gets (0666 less the umask); mkstemp alone would give 0600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(
    path: str | Path, *, protect: Iterable[str | Path] = (), suffix: str = ".tmp"
) -> Iterator[Path]:
    """Yield a temporary path in the folder of ``path`` to write to (by us or by ffmpeg); when the block
    ends without an exception it gets the usual file mode and is renamed over ``path``, otherwise it is
    removed. A crash or Ctrl-C leaves either the old file or the new one, never a partial file.
    ``protect`` lists input paths that must never be overwritten."""
    target = Path(path)
    refuse_inputs(target, protect)
    try:
        if target.is_dir():
            raise OutputError("is a directory, not a file", path=str(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        # the owner's host and process id in the name: a later run removes a temp file only when its
        # writer is dead (or the file is old), never one another run is writing now. Created as
        # tempfile.mkstemp does (O_EXCL, mode 0600, a random part), without importing tempfile
        owner = temp_owner()
        short = _short_name(target)
        for _ in range(100):
            name = str(target.parent / f".{short}.{os.urandom(4).hex()}.{owner}{suffix}")
            try:
                fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError("no free temporary file name")
    except OSError as exc:  # a name too long, a read-only folder, no space
        raise OutputError(f"cannot write here: {exc.strerror or exc}", path=str(target)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            yield tmp
            os.chmod(tmp, _new_file_mode())
            os.replace(tmp, target)
        except OSError as exc:  # the disk filled up, the folder went away: the user's to fix, not a bug
            raise OutputError(f"cannot write: {exc.strerror or exc}", path=str(target)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _short_name(target: Path, limit: int = 150) -> str:
    """``target``'s name for its temp file: as it is, or cut to ``limit`` bytes with its extension kept (a
    254-byte name is legal, the temp name around it would not be)."""
    name = target.name
    if len(os.fsencode(name)) <= limit:
        return name
    stem = target.stem
    while stem and len(os.fsencode(stem + "~" + target.suffix)) > limit:
        stem = stem[:-1]
    return stem + "~" + target.suffix


def temp_owner() -> str:
    """``<host>-<pid>`` of this process, as written into the names of its temp files."""
    host = re.sub(r"[^A-Za-z0-9_]", "_", os.uname().nodename if hasattr(os, "uname") else "")[:40] or "host"
    return f"{host}-{os.getpid()}"


def write_stdout(data: str | bytes) -> None:
    """Write ``data`` to standard output and flush it, or raise :class:`OutputError` (stdout closed, a full
    disk behind a redirection, a closed pipe): `-o -` either delivers everything or fails with exit 1."""
    stream = sys.stdout
    if stream is None or stream.closed:
        raise OutputError("standard output is closed: nothing could be written", path=STDOUT)
    try:
        if isinstance(data, bytes):
            stream.buffer.write(data)
        else:
            stream.write(data)
        stream.flush()
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", path=STDOUT) from None


@contextlib.contextmanager
def atomic_writer(path: str | Path, *, protect: Iterable[str | Path] = ()) -> Iterator[BinaryIO]:
    """Yield a binary file that becomes ``path`` atomically (fsync, then rename; see :func:`atomic_path`)."""
    with atomic_path(path, protect=protect) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_bytes(path: str | Path, data: bytes, *, protect: Iterable[str | Path] = ()) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, protect=protect) as fh:
        fh.write(data)


def atomic_write_text(path: str | Path, text: str, *, protect: Iterable[str | Path] = ()) -> None:
    atomic_write_bytes(path, utf8(text), protect=protect)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8; a character UTF-8 cannot hold (a lone surrogate: a file name's undecodable
    byte, a ``\\ud800`` escape in a JSON input) is written as ``?`` rather than failing the write."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def valid_text(text: str) -> str:
    """``text`` with every lone surrogate (from a ``\\ud800`` escape in JSON) replaced by U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def walk_folder(
    folder: str, *, skip: str | None = None, on_error: Callable[[str, OSError], None] | None = None
) -> Iterator[str]:
    """The files under ``folder``, recursively, in sorted order, as paths built on ``folder``.

    Hidden files and folders (a leading ``.``) are not entered; nor is the folder whose real path is
    ``skip`` (an output folder inside an input folder), unless it is ``folder`` itself. A folder that
    cannot be read is given to ``on_error`` (path, error), never passed over in silence. ``convert`` and
    ``validate`` both find their inputs with this.
    """
    root_real = os.path.realpath(folder)

    def failed(exc: OSError) -> None:
        if on_error is not None:
            on_error(str(exc.filename or folder), exc)

    for dirpath, dirnames, filenames in os.walk(folder, onerror=failed):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and not (
                skip is not None and skip != root_real and os.path.realpath(os.path.join(dirpath, d)) == skip
            )
        )
        for name in sorted(filenames):
            if not name.startswith("."):
                yield os.path.join(dirpath, name)


def is_terminal(stream: IO[str]) -> bool:
    """Is ``stream`` a terminal (a live progress line makes sense there, not in a pipe or a file)?"""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class LiveLine:
    """One line of a terminal rewritten in place (progress): each line over the last, padded with spaces
    where it is shorter; :meth:`clear` blanks it before the next output."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._width = 0

    def show(self, line: str) -> None:
        self.stream.write("\r" + line.ljust(self._width))
        self._width = len(line)
        self.stream.flush()

    def clear(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
