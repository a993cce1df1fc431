"""Arguments of a traced function: Values are inputs, everything else is structure.

:func:`flatten` turns a nest of lists, tuples and dicts into pre-order tokens (the
*skeleton*) and the Values found in it; :func:`match` checks new arguments against a skeleton
and returns the floats at its Value positions; :func:`map_items` copies a nest with each item
mapped.  All three are iterative.

>>> from autograd import Value
>>> skeleton, values = flatten(([Value(1.0), 2], {"b": Value(3.0)}))
>>> skeleton
[('tuple', 2), ('list', 2), '<Value>', ('static', 2), ('dict', ('b',)), '<Value>']
>>> match(skeleton, ([5.0, 2], {"b": Value(6.0)}))
[5.0, 6.0]
>>> map_items(([1, 2], {"k": 3}), lambda x: x * 10)
([10, 20], {'k': 30})
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

from ..errors import GraphError
from ..value import Value

__all__ = ["VALUE", "flatten", "match", "map_items"]

#: The skeleton token at the position of a Value.
VALUE = "<Value>"


def flatten(args: Any) -> tuple[list, list]:
    """Pre-order tokens of a nest of lists/tuples/dicts, and the Values found in it."""
    tokens: list = []
    values: list = []
    stack = [args]
    while stack:
        x = stack.pop()
        cls = x.__class__
        if cls is Value or isinstance(x, Value):
            tokens.append(VALUE)
            values.append(x)
        elif cls is list or cls is tuple:
            tokens.append((cls.__name__, len(x)))
            stack.extend(reversed(x))
        elif cls is dict:
            keys = tuple(x)
            tokens.append(("dict", keys))
            stack.extend(x[k] for k in reversed(keys))
        else:
            tokens.append(("static", x))
    return tokens, values


def match(skeleton: list, args: Any) -> list[float]:
    """The floats at the Value positions of ``args``, which must have the traced structure."""
    tokens, found = flatten(args)
    if len(tokens) != len(skeleton):
        raise GraphError(f"arguments do not have the traced structure ({len(tokens)} items "
                         f"where the trace had {len(skeleton)}); trace again for this shape")
    values: list[float] = []
    next_value = iter(found).__next__
    for position, (want, got) in enumerate(zip(skeleton, tokens)):
        if want is VALUE:
            if got is VALUE:
                values.append(next_value().data)
            elif got[0] == "static" and isinstance(got[1], numbers.Real):
                values.append(float(got[1]))
            else:
                raise GraphError(f"argument item {position} must be a number or a Value (the "
                                 f"trace had a Value there), got {_show(got)}")
        elif got is VALUE or got[0] != want[0] or not _equal(got[1], want[1]):
            raise GraphError(f"argument item {position} is {_show(got)} but the trace was "
                             f"recorded with {_show(want)} (not a Value, so it was baked into "
                             f"the step); pass a Value there to make it an input, or trace "
                             f"again")
    return values


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except Exception:  # an object whose == does not give a truth value
        return False


def _show(token: Any) -> str:
    if token is VALUE:
        return "a Value"
    kind, detail = token
    if kind == "static":
        return repr(detail)[:60]
    if kind == "dict":
        return f"a dict with keys {list(detail)!r:.60}"
    return f"a {kind} of length {detail}"


_FREEZE_TUPLE = object()  # marker: turn the list just filled into a tuple


def map_items(nest: Any, fn: Callable[[Any], Any]) -> Any:
    """A copy of a nest of lists, tuples and dicts with every other item ``x`` as ``fn(x)``."""
    root: list = [None]
    stack: list[tuple[Any, Any, Any]] = [(nest, root, 0)]
    while stack:
        x, into, key = stack.pop()
        cls = x.__class__
        if x is _FREEZE_TUPLE:
            into[key] = tuple(into[key])
        elif cls is list or cls is tuple or cls is dict:
            keys = list(x) if cls is dict else list(range(len(x)))
            copy: Any = dict.fromkeys(keys) if cls is dict else [None] * len(x)
            into[key] = copy
            if cls is tuple:  # popped after the items below are filled in
                stack.append((_FREEZE_TUPLE, into, key))
            stack.extend((x[k], copy, k) for k in reversed(keys))
        else:
            into[key] = fn(x)
    return root[0]
