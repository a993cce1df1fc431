"""Batched forms of primitive-table rows, each checked against the row it replaces.

Three rows have forms the interpreter can run over whole lists: ``add`` (local derivatives
1, 1, so ``g × 1.0 = g``), ``mul`` (local = the other operand) and ``max`` (a lookup on the
sign of ``a − b``, read off the row at representative points).  Each is *checked against the
row* at import time; if the row changes, the flag is false and the replay falls back to the
row's own ``forward``/``local``, as it does for every other primitive.

>>> UNIT_ADD, SWAP_MUL, MAX_LOCAL is not None
(True, True, True)
>>> sign_key(2.0, 1.0), sign_key(1.0, 1.0), sign_key(float("nan"), 1.0)
(1, 0, 0)
>>> list(folds([[0.25, 0.5], [1.0]], [1.0, 2.0]))
[1.75, 3.0]
"""

from __future__ import annotations

import functools
import math
import operator
from itertools import repeat
from typing import Any, Callable, Iterable, Optional

from ..ops import ADD, MAX, MUL, Primitive

__all__ = ["UNIT_ADD", "SWAP_MUL", "MAX_LOCAL", "SEQUENTIAL_SUM", "rule_matches", "sign_key",
           "max_forward_is_builtin", "folds"]

_SAMPLES = ((2.0, 3.0), (-1.5, 0.25), (0.0, -0.0), (-0.0, 0.0), (1e300, 1e-300), (-7.0, -7.0),
            (math.inf, 1.0), (1.0, -math.inf), (math.nan, 1.0), (1.0, math.nan), (3.0, 3.0))


def _same(x: Any, y: Any) -> bool:
    """Bitwise float equality (nan equals nan, 0.0 differs from -0.0)."""
    if x != x and y != y:
        return True
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def rule_matches(op: Primitive, expected: Callable[[float, float], tuple]) -> bool:
    """Whether a binary row's ``local`` equals ``expected(a, b)`` bit for bit at the samples.

    >>> rule_matches(MUL, lambda a, b: (b, a))
    True
    """
    for a, b in _SAMPLES:
        got = op.local(a, b, op.forward(a, b))
        want = expected(a, b)
        if len(got) != len(want) or not all(_same(g, w) for g, w in zip(got, want)):
            return False
    return True


def sign_key(a: float, b: float) -> int:
    """sign(a − b) as 1, -1 or 0 (ties and nan compare as neither greater nor less)."""
    return (a > b) - (a < b)


def _max_table() -> Optional[tuple[dict, dict]]:
    """``max``'s local rule as a lookup on :func:`sign_key`, read off the row itself."""
    points = {1: (1.0, 0.0), -1: (0.0, 1.0), 0: (0.0, 0.0)}
    table = {k: MAX.local(a, b, MAX.forward(a, b)) for k, (a, b) in points.items()}
    first = {k: v[0] for k, v in table.items()}
    second = {k: v[1] for k, v in table.items()}
    if not rule_matches(MAX, lambda a, b: (first[sign_key(a, b)], second[sign_key(a, b)])):
        return None
    return first, second


#: ``add``: local derivatives (1.0, 1.0), so ``g × 1.0 = g``; ``mul``: local = other operand.
UNIT_ADD: bool = ADD.forward is operator.add and rule_matches(ADD, lambda a, b: (1.0, 1.0))
SWAP_MUL: bool = MUL.forward is operator.mul and rule_matches(MUL, lambda a, b: (b, a))
#: ``(first, second)``: ``max``'s local derivatives by :func:`sign_key`, or None.
MAX_LOCAL: Optional[tuple[dict, dict]] = _max_table()


@functools.lru_cache(maxsize=256)
def max_forward_is_builtin(b: float) -> bool:
    """Whether the row's ``max(a, b)`` equals the builtin's for this ``b`` at the samples.

    Not for nan, and not for ``b = 0.0``: the row gives ``max(-0.0, 0.0) = 0.0`` (IEEE),
    the builtin keeps its first argument, ``-0.0``.

    >>> max_forward_is_builtin(1.0), max_forward_is_builtin(0.0)
    (True, False)
    """
    if b != b:
        return False
    return all(_same(MAX.forward(a, b), max(a, b)) for a, _ in _SAMPLES)


#: The builtin ``sum`` adds left to right on CPython ≤ 3.11 (3.12 compensates); when it does,
#: ``sum(contributions, start)`` is exactly the eager ``+=`` fold.  :func:`folds` reads this
#: flag on every call (tests switch it to run the ``reduce`` path).
SEQUENTIAL_SUM: bool = (sum([1e16, 1.0, -1e16], 0.0) == 0.0
                        and sum([0.1] * 10, 0.0) == functools.reduce(operator.add, [0.1] * 10,
                                                                      0.0))


def folds(iterables: Iterable, starts: Iterable) -> Iterable:
    """``[start + c₁ + c₂ + …]`` left to right, for each contribution stream and start."""
    if SEQUENTIAL_SUM:
        return map(sum, iterables, starts)
    return map(functools.reduce, repeat(operator.add), iterables, starts)
