"""Metrics of a run: accuracy, the update/parameter ratio, dead units, predictions as floats.

Plain float code: a metric never builds a graph, and reports a diverged run (inf, nan) instead
of raising.

>>> accuracy([[0.3], [-2.0]], [1, 0], "binary")
1.0
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from autograd import Value, no_grad

__all__ = ["accuracy", "update_ratio", "dead_fraction", "predict", "output_floats", "safe_sum"]


def output_floats(output: Any) -> list[float]:
    """A model's output (a Value, a float or a list of them) as a list of floats.

    >>> output_floats([Value(1.5), 2]), output_floats(Value(-1.0))
    ([1.5, 2.0], [-1.0])
    """
    items = output if isinstance(output, (list, tuple)) else [output]
    return [float(o.data) if isinstance(o, Value) else float(o) for o in items]


def accuracy(outputs: Sequence[Sequence[float]], targets: Sequence[Any], task: str
             ) -> Optional[float]:
    """Fraction right: ``binary`` — score > 0 means the positive class (labels 0/1 or −1/+1);
    ``multiclass`` — the arg-max is the label; ``regression`` — None.

    >>> accuracy([[0.3], [-2.0]], [1, 1], "binary")
    0.5
    >>> accuracy([[1.0, 5.0], [9.0, 2.0]], [1, 1], "multiclass")
    0.5
    """
    if task == "regression" or not targets:
        return None
    right = 0
    for out, t in zip(outputs, targets):
        if task == "binary":
            right += (out[0] > 0.0) == (t == 1 or t is True)
        else:
            best = max(range(len(out)), key=out.__getitem__)
            right += best == t
    return right / len(targets)


def update_ratio(before: Sequence[float], after: Sequence[float]) -> float:
    """‖after − before‖ / ‖before‖ (the seeds: around 1e-3 is healthy).

    >>> round(update_ratio([3.0, 4.0], [3.0, 4.005]), 9)
    0.001
    """
    num = safe_sum([(a - b) * (a - b) for a, b in zip(after, before)])
    den = safe_sum([b * b for b in before])
    if den != den or num != num:
        return math.nan
    if math.isinf(den):
        return math.nan if math.isinf(num) else 0.0
    return math.sqrt(num) / math.sqrt(den) if den > 0 else (0.0 if num == 0 else math.inf)


def safe_sum(xs: Sequence[float]) -> float:
    """``math.fsum``, but inf/nan instead of an exception when the sum overflows (a metric
    reports a diverged run, it never stops it).

    >>> safe_sum([0.1] * 10), safe_sum([1e308, 1e308])
    (1.0, inf)
    """
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):
        return sum(xs)


def dead_fraction(model: Any, X: Sequence[Any]) -> Optional[float]:
    """The fraction of hidden units whose output is exactly 0 on every example of ``X``
    (dead ReLUs: they pass no gradient and never recover).  None for a model without
    hidden layers or without ``forward_layers``."""
    forward = getattr(model, "forward_layers", None)
    if forward is None or not X:
        return None
    alive: Optional[list[list[bool]]] = None
    was_training = getattr(model, "training", False)
    if was_training:
        model.eval()  # RReLU: the mean slope, and no draws from its generator
    try:
        with no_grad():
            for x in X:
                hidden = forward(x)[:-1]
                if alive is None:
                    alive = [[False] * len(h) for h in hidden]
                for flags, h in zip(alive, hidden):
                    for i, v in enumerate(h):
                        if v.data != 0.0:
                            flags[i] = True
    finally:
        if was_training:
            model.train()
    units = sum(len(f) for f in alive or [])
    if not units:
        return None
    return sum(f.count(False) for f in alive) / units


def predict(model: Any, X: Sequence[Any]) -> list[list[float]]:
    """The model's outputs on each input as floats, without recording a graph."""
    with no_grad():
        return [output_floats(model(x)) for x in X]
