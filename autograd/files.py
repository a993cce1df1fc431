"""Writing files so that nothing is lost: a reader sees the old file or the new one.

>>> import os, tempfile
>>> target = os.path.join(tempfile.mkdtemp(), "note.txt")
>>> write_atomically(target, "hello"); open(target).read()
'hello'

Decisions:

- A symbolic link is followed, never replaced: a link to a regular file (or a dangling link)
  gets its *target* written atomically and stays a link; a link to a stream, terminal or
  device (``/dev/stdout``, ``/proc/self/fd/1``) is written in place, as is any path that is
  not a regular file.
- An existing file keeps its permission bits; a new one gets 0666 less the umask.
- The temporary file is ``.<name>.pathgrad-tmp-<pid>-<random>`` beside the target; one left
  behind by a killed process (its pid no longer running) is removed by the next write of that
  file.
- Errors name the user's path, never the temporary file.
- Text is written as UTF-8; a lone surrogate (from a label built out of bad bytes) is written
  as ``\\udcxx`` text rather than failing.
"""

from __future__ import annotations

import os
import stat
from typing import Union

__all__ = ["write_atomically", "TEMP_MARK"]

#: What every temporary file's name carries: ``.<name>.pathgrad-tmp-<pid>-<random>``.
TEMP_MARK = ".pathgrad-tmp-"

_MAX_LINKS = 40  # as the kernel's ELOOP limit


def _resolve(path: str) -> str:
    """The file a write of ``path`` lands on: links followed (also dangling ones), iteratively."""
    seen = 0
    while os.path.islink(path):
        seen += 1
        if seen > _MAX_LINKS:
            raise OSError(40, "too many levels of symbolic links")
        link = os.readlink(path)
        path = link if os.path.isabs(link) else os.path.join(os.path.dirname(path), link)
    return path


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _clean_stale(folder: str, name: str) -> None:
    """Remove ``.<name>.pathgrad-tmp-<pid>-<random>`` files whose writer is gone."""
    prefix = "." + name + TEMP_MARK
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        if not entry.startswith(prefix):
            continue
        tail = entry[len(prefix):].split("-", 1)[0]
        if tail.isdigit() and tail.isascii() and not _pid_alive(int(tail)):
            try:
                os.unlink(os.path.join(folder, entry))
            except OSError:
                pass


def _encode(data: Union[str, bytes]) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8", "backslashreplace")
    return bytes(data)


def write_atomically(path: Union[str, os.PathLike], data: Union[str, bytes]) -> None:
    """Write ``data`` (text as UTF-8) to a temporary file beside ``path``, flush it to disk,
    then rename it over ``path``; a crash mid-write leaves the previous file intact.

    Links are followed and kept, special files written in place, the mode of an existing
    file kept (see the module's decisions).  An ``OSError`` names ``path``.
    """
    shown = os.fspath(path)
    if isinstance(shown, bytes):
        shown = os.fsdecode(shown)
    payload = _encode(data)
    try:
        _write(shown, payload)
    except OSError as e:
        if e.errno is None:
            raise type(e)(f"{shown}: {e}") from None
        raise type(e)(e.errno, e.strerror or str(e), shown) from None


def _write(path: str, payload: bytes) -> None:
    target = _resolve(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(target, "wb") as f:
            f.write(payload)
        return
    folder = os.path.dirname(os.path.abspath(target))
    name = os.path.basename(target)
    _clean_stale(folder, name)
    temp = os.path.join(folder, f".{name}{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    else:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
