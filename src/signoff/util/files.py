"""Reading a file named by an untrusted repository without blocking: regular files only, size-capped."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_BASE_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def read_regular(path: str | Path, max_bytes: int, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes``.

    Opened non-blocking (a FIFO does not block the open) and checked with ``fstat`` on the open
    descriptor: a FIFO, device, socket or directory raises :class:`OSError` ("not a regular file"), as
    does a file over ``max_bytes`` (EFBIG) and, with ``follow_symlinks=False``, a symlink (ELOOP).
    """
    flags = _BASE_FLAGS | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0))
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if st.st_size > max_bytes:
            raise OSError(errno.EFBIG, f"larger than {max_bytes} bytes", str(path))
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # grew while being read
                raise OSError(errno.EFBIG, f"larger than {max_bytes} bytes", str(path))
    finally:
        os.close(fd)
    return b"".join(chunks)
