"""The state file: a model, its optimizer and its training loop, as checked JSON.

A file looks like this (keys in this order; ``indent=1``)::

    {
     "format": "pathgrad.nn.state",
     "version": 1,
     "model": {"class": "MLP", "config": {"nin": 2, "sizes": [16, 16, 1], ...}},
     "parameters": {"layers.0.neurons.0.w.0": 0.4139..., ...},
     "optimizer": null | {"type": "Adam", "params": [names...], "hyper": {...}, "t": 12,
                          "slots": {"m": [...], "v": [...]}},
     "trainer": null | {"epoch": 3, "rng": {"version": 3, "words": "<hex>", "pos": 624,
                        "gauss": null}, "history": [{...}, ...], "early_stopping": ...},
     "checksum": "sha256:…"
    }

Decisions:

- **Floats round-trip exactly**: JSON numbers are written with ``repr`` (the shortest string
  that reads back to the same double), ``-0.0`` included.
- **inf and nan**: JSON has no literal for them, so they are written as the strings
  ``"inf"``, ``"-inf"`` and ``"nan"`` wherever a float is expected (a nan's payload and sign
  are not kept).  The non-standard literals ``Infinity``/``NaN`` are refused on reading.
- **Checksum**: SHA-256 of the canonical JSON of everything else (sorted keys, no spaces), so a
  flipped bit that still parses — a digit of a weight — is caught, not loaded.  Pass
  ``verify=False`` to read a hand-edited file.
- **Atomic**: written to a temporary file in the same directory, flushed, fsynced, then
  ``os.replace``-d over the target; a crash mid-write leaves the previous file intact.
- **All or nothing**: a bad file raises :class:`~autograd.errors.StateFileError` naming the
  file and the problem, and nothing is changed in the model, optimizer or trainer.
- **Limits, checked before reading**: only a regular file is read (a FIFO, ``/dev/zero`` or a
  terminal is refused without blocking), of at most :data:`MAX_STATE_BYTES` (64 MiB); an
  integer of more than :data:`MAX_INT_DIGITS` digits is refused while parsing; a model's
  config is checked against the parameters the file actually holds before anything is built.
  Each is a :class:`~autograd.errors.StateFileError`.
- No pickle, no eval.

>>> encode_float(float("inf")), decode_float("nan", "x") != decode_float("nan", "x")
('inf', True)
>>> text = dumps({"model": None, "parameters": {"w": -0.0}, "optimizer": None,
...               "trainer": None})
>>> loads(text)["parameters"]["w"]
-0.0
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from typing import Any, Optional

from autograd.files import write_atomically

from .errors import StateFileError

__all__ = ["FORMAT", "VERSION", "MAX_STATE_BYTES", "MAX_INT_DIGITS", "encode_float",
           "decode_float", "dumps", "loads",
           "atomic_write", "read", "write"]

FORMAT = "pathgrad.nn.state"
VERSION = 1
_KEYS = ("format", "version", "model", "parameters", "optimizer", "trainer", "checksum")
#: The largest state file :func:`read` accepts (64 MiB: about a million parameters with Adam).
MAX_STATE_BYTES = 64 * 2 ** 20
#: The most digits an integer in a state file may have (a step count, a size, a seed word).
MAX_INT_DIGITS = 40
_NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def encode_float(x: float) -> Any:
    """A float as JSON can hold it: itself, or ``"inf"``, ``"-inf"``, ``"nan"``."""
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def decode_float(v: Any, where: str) -> float:
    """The float stored at ``where``; anything but a number or one of the three strings is an
    error naming ``where``."""
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise StateFileError(f"{where}: expected a number, got {type(v).__name__} {v!r:.40}")
    if isinstance(v, str):
        if v not in _NONFINITE:
            raise StateFileError(f"{where}: expected a number, got the string {v!r:.40}")
        return _NONFINITE[v]
    return float(v)


def _canonical(payload: dict) -> str:
    body = {k: v for k, v in payload.items() if k != "checksum"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def _checksum(payload: dict) -> str:
    return "sha256:" + hashlib.sha256(_canonical(payload).encode("ascii")).hexdigest()


def dumps(body: dict) -> str:
    """The text of a state file holding ``body`` (model, parameters, optimizer, trainer)."""
    payload = {"format": FORMAT, "version": VERSION}
    for key in ("model", "parameters", "optimizer", "trainer"):
        payload[key] = body.get(key)
    try:
        payload["checksum"] = _checksum(payload)
        return json.dumps(payload, indent=1, allow_nan=False) + "\n"
    except ValueError as e:  # a raw inf/nan slipped past encode_float
        raise StateFileError(f"cannot write state: {e}") from None


def _refuse_constant(name: str) -> Any:
    raise StateFileError(f"non-standard JSON literal {name}; write inf/nan as strings")


def _no_duplicates(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise StateFileError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise StateFileError(f"an integer of {len(digits.lstrip('-'))} digits "
                             f"(at most {MAX_INT_DIGITS})")
    return int(digits)


def loads(text: str, source: str = "<state>", *, verify: bool = True) -> dict:
    """Parse and check a state file's text: JSON, format, version, keys, checksum."""
    try:
        payload = json.loads(text, parse_constant=_refuse_constant, parse_int=_parse_int,
                             object_pairs_hook=_no_duplicates)
    except StateFileError as e:
        raise StateFileError(f"{source}: {e}") from None
    except (json.JSONDecodeError, RecursionError) as e:
        raise StateFileError(f"{source}: not a complete JSON state file (truncated or "
                             f"corrupted?): {e}") from None
    if not isinstance(payload, dict):
        raise StateFileError(f"{source}: expected a JSON object, got {type(payload).__name__}")
    if payload.get("format") != FORMAT:
        raise StateFileError(f"{source}: not a pathgrad state file "
                             f"(format {payload.get('format')!r:.60}, expected {FORMAT!r})")
    if payload.get("version") != VERSION:
        raise StateFileError(f"{source}: unsupported state file version "
                             f"{payload.get('version')!r:.20} (this pathgrad reads {VERSION})")
    keys = list(payload)
    if sorted(keys) != sorted(_KEYS):
        missing = [k for k in _KEYS if k not in payload]
        extra = [k for k in keys if k not in _KEYS]
        raise StateFileError(f"{source}: wrong top-level keys (missing {missing}, "
                             f"unexpected {extra})")
    if verify:
        try:
            expected = _checksum(payload)
        except ValueError as e:
            raise StateFileError(f"{source}: {e}") from None
        if payload["checksum"] != expected:
            raise StateFileError(f"{source}: checksum mismatch — the file was changed or "
                                 f"corrupted after it was written (use verify=False to read a "
                                 f"hand-edited file)")
    if not isinstance(payload["parameters"], dict):
        raise StateFileError(f"{source}: 'parameters' must be an object of name: number")
    return payload


#: Kept under its old name; the one implementation is :func:`autograd.files.write_atomically`.
atomic_write = write_atomically


def write(path: str | os.PathLike, body: dict) -> None:
    """Write a state file atomically."""
    atomic_write(path, dumps(body))


def read(path: str | os.PathLike, *, verify: bool = True) -> dict:
    """Read and check a state file; errors name the file."""
    source = os.fspath(path)
    if isinstance(source, bytes):
        source = os.fsdecode(source)
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang; it is refused below.
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise StateFileError(f"{source}: cannot read state file: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise StateFileError(f"{source}: not a regular file (a device, pipe or folder); "
                                 f"a state file is read only from a regular file")
        if st.st_size > MAX_STATE_BYTES:
            raise StateFileError(f"{source}: {st.st_size} bytes is more than the state-file "
                                 f"limit of {MAX_STATE_BYTES} bytes (nn.state.MAX_STATE_BYTES)")
        chunks, total = [], 0
        while total <= MAX_STATE_BYTES:  # the size may change while we read
            chunk = os.read(fd, min(1 << 20, MAX_STATE_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_STATE_BYTES:
            raise StateFileError(f"{source}: more than the state-file limit of "
                                 f"{MAX_STATE_BYTES} bytes (nn.state.MAX_STATE_BYTES)")
        raw = b"".join(chunks)
    except OSError as e:
        raise StateFileError(f"{source}: cannot read state file: {e.strerror}") from None
    finally:
        os.close(fd)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise StateFileError(f"{source}: not UTF-8 text (corrupted?): {e.reason} at byte "
                             f"{e.start}") from None
    return loads(text, source, verify=verify)


def expect(condition: bool, source: str, message: str) -> None:
    """Raise StateFileError(``source: message``) unless ``condition``."""
    if not condition:
        raise StateFileError(f"{source}: {message}")


def section(payload: dict, key: str, source: str) -> Optional[dict]:
    """``payload[key]``, which must be an object or null."""
    value = payload.get(key)
    expect(value is None or isinstance(value, dict), source,
           f"{key!r} must be an object or null, got {type(value).__name__}")
    return value
