"""Writing files so that nothing is lost: a reader sees the old file or the new one.

>>> import os, tempfile
>>> target = os.path.join(tempfile.mkdtemp(), "note.txt")
>>> write_atomically(target, "hello"); open(target).read()
'hello'
"""

from __future__ import annotations

import os
import stat
import tempfile
from typing import Union

__all__ = ["write_atomically"]


def write_atomically(path: Union[str, os.PathLike], data: Union[str, bytes]) -> None:
    """Write ``data`` (text as UTF-8) to a temporary file beside ``path``, flush it to disk,
    then rename it over ``path``; a crash mid-write leaves the previous file intact.

    The new file gets the usual permissions (0666 less the umask).  A ``path`` that exists
    and is not a regular file (``/dev/null``, a FIFO, a terminal) is written in place:
    renaming over it would replace the device.
    """
    path = os.fspath(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        special = False
    if special:
        with open(path, "wb") as f:
            f.write(payload)
        return
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
