"""Replay: trace a computation once, then re-run its forward and backward over flat arrays.

A training step builds the same graph every time the model and the batch shape stay the same.
:func:`trace` runs a function of Values once, eagerly, and compiles the graph it built into a
:class:`Replay`: flat lists of floats and index tables, run with C-level iteration
(``operator.itemgetter`` gathers, ``map`` over the primitive's forward, slice assignment).
Calling the replay with new leaf values gives the output and every leaf gradient — the same
floats the eager engine computes, bit for bit, because it performs the same floating-point
operations in the same order.

Python branching on Values (``if x > 0:``) is recorded at trace time; a replay whose inputs
would take another branch raises :class:`BranchChangedError` instead of returning numbers for
the wrong branch.  ``maximum``/``relu`` are data, not branches, and replay correctly.

>>> from autograd import Value
>>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
>>> step = trace(lambda x, y: (x * y + x).relu(), x, y)
>>> step(2.0, 3.0)
(8.0, (4.0, 2.0))
>>> step(-1.0, 5.0)                      # relu is data: the other side of the kink is fine
(0.0, (0.0, 0.0))
>>> out = step.to_graph()                # a Value graph holding the last replay
>>> out.data, x.data, x.grad
(0.0, -1.0, 0.0)

The modules, in the order a step goes through them:

- :mod:`~autograd.replay.args` — arguments: Values are inputs, the rest is a checked skeleton;
- :mod:`~autograd.replay.tracing` — the one eager run: guards, :class:`BranchChangedError`;
- :mod:`~autograd.replay.fuse` — long sums whose partial sums nobody reads become one entry;
- :mod:`~autograd.replay.rules` — batched forms of ``add``/``mul``/``max``, checked against
  their table rows (any other primitive replays through its own record);
- :mod:`~autograd.replay.program` — the compiled program, as small typed records;
- :mod:`~autograd.replay.compile` — graph to program;
- :mod:`~autograd.replay.run` — the interpreter;
- :mod:`~autograd.replay.step` — :func:`trace` and :class:`Replay`, the public face;
- :mod:`~autograd.replay.loss` — :class:`LossStep`, a training loss compiled once.

Limits: comparisons on Values (``< <= > >=``, and ``bool(v)`` as ``v != 0``) and ``float(v)``
(the number must stay the same) are recorded as guards and raise :class:`BranchChangedError`
when a replay changes them; reading ``v.data`` inside the traced function bakes that number
in unchecked.  The replay computes first-order gradients as floats (no ``create_graph``),
runs no anomaly checks, and refuses graphs with gradient hooks (it would not run them).
The traced graph is not kept: a replay holds flat lists and its input leaves only.
"""

from __future__ import annotations

import sys as _sys
import types as _types
from typing import Any as _Any

from . import rules
from .loss import LossStep
from .rules import (MAX_LOCAL as _MAX_LOCAL, SEQUENTIAL_SUM as _SEQUENTIAL_SUM,
                    SWAP_MUL as _SWAP_MUL, UNIT_ADD as _UNIT_ADD,
                    max_forward_is_builtin as _max_forward_is_builtin,
                    rule_matches as _rule_matches, sign_key as _sign_key)
from .step import Replay, trace
from .tracing import BranchChangedError

__all__ = ["trace", "Replay", "LossStep", "BranchChangedError"]


class _Package(_types.ModuleType):
    """Assigning ``autograd.replay._SEQUENTIAL_SUM`` (the tests switch the fold path so)
    sets :data:`autograd.replay.rules.SEQUENTIAL_SUM`, which the interpreter reads."""

    def __setattr__(self, name: str, value: _Any) -> None:
        if name == "_SEQUENTIAL_SUM":
            rules.SEQUENTIAL_SUM = value
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
