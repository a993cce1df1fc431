"""The one number formatter of every view: stories, tables, reports and the page.

``format_number`` writes a float as short as it reads well: whole numbers without ``.0``,
others to ``digits`` significant digits (default 6; ``None`` for the exact shortest repr),
negative zero as ``0``, and ``inf``, ``-inf``, ``nan`` as themselves.

>>> format_number(2.0), format_number(0.4999999999999998), format_number(-0.0)
('2', '0.5', '0')
>>> format_number(1e300), format_number(float("-inf")), format_number(1 / 3)
('1e+300', '-inf', '0.333333')
>>> with options(digits=3):
...     format_number(3.14159)
'3.14'
>>> format_number(3.14159, digits=None)
'3.14159'
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Iterator, Optional

__all__ = ["format_number", "options", "set_digits", "get_digits"]

_digits: Optional[int] = 6
_DEFAULT = object()


def get_digits() -> Optional[int]:
    """The current default number of significant digits (None: exact)."""
    return _digits


def set_digits(digits: Optional[int]) -> Optional[int]:
    """Set the default significant digits for every view; returns the previous setting."""
    global _digits
    if digits is not None and (not isinstance(digits, int) or isinstance(digits, bool)
                               or not 1 <= digits <= 17):
        raise ValueError(f"digits must be an int from 1 to 17 or None, got {digits!r}")
    previous, _digits = _digits, digits
    return previous


@contextmanager
def options(*, digits: Optional[int]) -> Iterator[None]:
    """Use ``digits`` significant digits inside the ``with`` block."""
    previous = set_digits(digits)
    try:
        yield
    finally:
        set_digits(previous)


def format_number(x: Any, digits: Any = _DEFAULT) -> str:
    """``x`` (a number or anything with ``.data``) as text; see the module docstring."""
    if hasattr(x, "data") and not isinstance(x, (int, float)):
        x = x.data
    x = float(x)
    if digits is _DEFAULT:
        digits = _digits
    if x == 0.0:
        return "0"
    if math.isfinite(x) and x == int(x) and abs(x) < 1e16:
        return str(int(x))
    if digits is None or not math.isfinite(x):
        return repr(x)
    return f"{x:.{digits}g}"
