"""Where the commands write: every output path is checked when the arguments are read, before
any run starts; files are written whole, each to a temporary file renamed over the old one,
only once everything they hold has been computed."""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from tcpverify.checker import interrupt

from .options import UsageError

DEFAULT_REPORTS = "reports"  # relative to the directory tcpverify runs in


def add_reports(p, what: str) -> None:
    """The --reports DIR option of a command that writes ``what`` there."""
    p.add_argument("--reports", default=DEFAULT_REPORTS, metavar="DIR",
                   help=f"{what} (default: ./{DEFAULT_REPORTS})")


def _writable(what: str, text: str, folder: Path) -> None:
    """Raise unless a file can be created in ``folder``, the folder of output ``what`` ``text``."""
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{what} '{text}': folder '{folder}' does not exist")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".tcpverify-", suffix=".probe")
    except OSError as e:
        raise argparse.ArgumentTypeError(f"{what} '{text}' cannot be written: {e.strerror or e}") from None
    os.close(fd)
    os.unlink(probe)


def output_file(text: str) -> Path:
    """An argparse type: a file the command may write (a new one, or one it replaces).
    Raises ArgumentTypeError, which main() reports as bad input when called directly."""
    if not text:
        raise argparse.ArgumentTypeError("the file name is empty")
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"output file '{text}' is a directory")
    if path.exists() and not path.is_file():  # a device or a pipe: written in place
        if not os.access(path, os.W_OK):
            raise argparse.ArgumentTypeError(f"output file '{text}' cannot be written")
        return path
    _writable("output file", text, path.resolve().parent)
    return path


def output_folder(text: str) -> Path:
    """A folder the command writes into: an existing, writable one, or a new one in an existing,
    writable folder. Raises ArgumentTypeError, as output_file."""
    if not text:
        raise argparse.ArgumentTypeError("the folder name is empty")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"output folder '{text}' is not a folder")
    _writable("output folder", text, path if path.exists() else path.resolve().parent)
    return path


@contextmanager
def uninterrupted():
    """Ctrl-C waits for the block to end, then raises: files are written all or not at all."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def write_files(files: dict[Path, str | bytes]) -> list[Path]:
    """Write every file whole (text as UTF-8): each to a temporary file beside it, renamed
    over the old one."""
    interrupt.check()  # nothing is written after a Ctrl-C, wherever its exception went
    with uninterrupted():
        for path, data in files.items():
            try:
                _replace(path, data.encode("utf-8") if isinstance(data, str) else data)
            except OSError as e:
                raise UsageError(f"cannot write '{path}': {e.strerror or e}") from None
    return list(files)


def _replace(path: Path, data: bytes) -> None:
    if path.exists() and not path.is_file():  # /dev/stdout, a named pipe: nothing to rename over
        with open(path, "wb") as f:
            f.write(data)
        return
    path = path.resolve()  # through a symbolic link, to the file it names
    path.parent.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it
    os.umask(mask)
    return mask
