"""Opening an input safely: regular files only, and never more bytes than the cap.

A FIFO blocks `open()` until a writer comes, and `/dev/zero` reports size 0 but never ends, so the
size a `stat` reports proves nothing: the file is opened without blocking, checked on the open
descriptor (no race with a swap after the check), and read up to the cap plus one byte.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path
from typing import BinaryIO

from kgraph.reader.base import InputError

#: Files larger than this are refused rather than read into memory whole.
MAX_BYTES = 64 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "is a directory, expected a file"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def _not_regular(mode: int) -> str | None:
    for test, problem in _KINDS:
        if test(mode):
            return problem
    return None if stat.S_ISREG(mode) else "is not a regular file"


def open_regular(path: str | Path) -> BinaryIO:
    """Open `path` for reading if it is (or links to) a regular file, else raise `InputError`."""
    source = str(path)
    try:
        st = os.stat(path)  # follows links: a link to /dev/zero is a device
    except FileNotFoundError:
        raise InputError(source, "no such file" if not os.path.islink(path) else "broken symbolic link") from None
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as e:
        raise InputError(source, f"cannot read ({e.strerror})") from None
    problem = _not_regular(st.st_mode)
    if problem:
        raise InputError(source, problem)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise InputError(source, "permission denied") from None
    except OSError as e:
        raise InputError(source, f"cannot read ({e.strerror})") from None
    try:
        problem = _not_regular(os.fstat(fd).st_mode)  # what was opened, not what was looked at
        if problem:
            raise InputError(source, problem)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return io.open(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The whole content of a regular file, refusing one over `limit` bytes by what was read."""
    source = str(path)
    with open_regular(path) as f:
        try:
            # sized by what the file holds (a regular file's size is known), not by the cap: a read of
            # `limit + 1` reserves that much for every file, however small. Read on in case it grew.
            want = min(os.fstat(f.fileno()).st_size, limit) + 1
            raw = f.read(want)
            if len(raw) == want and want <= limit:
                raw += f.read(limit + 1 - want)
        except OSError as e:
            raise InputError(source, f"cannot read ({e.strerror})") from None
    if len(raw) > limit:
        raise InputError(source, f"too large (over {limit} bytes)")
    return raw
