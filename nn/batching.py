"""Data plumbing for training: shuffled mini-batches, a train/validation split, input checks.

>>> list(batches(5, 2))
[[0, 1], [2, 3], [4]]
>>> Xt, yt, Xv, yv = train_val_split([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 0.4)
>>> len(Xt), len(Xv)
(3, 2)
"""

from __future__ import annotations

import math
import random
import warnings
from typing import Any, Iterator, Optional, Sequence, Union

from autograd import Value

from .errors import ConfigError, ShapeError
from .init import as_rng

__all__ = ["batches", "train_val_split", "check_finite"]


def batches(n: int, batch_size: Optional[int] = None, rng: Optional[random.Random] = None
            ) -> Iterator[list[int]]:
    """Index lists covering ``range(n)`` once, shuffled by ``rng`` (in order when None); the
    last batch may be smaller.  ``batch_size=None`` is one full batch, always in order:
    shuffling it would change nothing but the rounding of the sum (and would make every step's
    graph different for a step compiler).

    >>> list(batches(5, 2))
    [[0, 1], [2, 3], [4]]
    >>> sorted(sum(batches(5, 2, random.Random(0)), []))
    [0, 1, 2, 3, 4]
    """
    order = list(range(n))
    size = n if batch_size is None else batch_size
    if not isinstance(size, int) or size < 1:
        raise ConfigError(f"batch_size must be a positive int or None, got {batch_size!r}")
    if rng is not None and size < n:
        rng.shuffle(order)
    for start in range(0, n, size):
        yield order[start:start + size]


def train_val_split(X: Sequence[Any], y: Sequence[Any], val_fraction: float = 0.2,
                    seed: Union[int, random.Random, None] = 0) -> tuple[list, list, list, list]:
    """Shuffle (seeded) and split into ``(X_train, y_train, X_val, y_val)``.

    >>> Xt, yt, Xv, yv = train_val_split(list(range(10)), list(range(10)), 0.3)
    >>> len(Xt), len(Xv), sorted(Xt + Xv) == list(range(10)), Xt == yt
    (7, 3, True, True)
    """
    if len(X) != len(y):
        raise ShapeError(f"train_val_split: {len(X)} inputs but {len(y)} targets")
    if not 0.0 < val_fraction < 1.0:
        raise ConfigError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    order = list(range(len(X)))
    as_rng(seed).shuffle(order)
    n_val = max(1, round(len(X) * val_fraction))
    if n_val >= len(X):
        raise ConfigError(f"cannot split {len(X)} examples with val_fraction {val_fraction}")
    val, train = order[:n_val], order[n_val:]
    return ([X[i] for i in train], [y[i] for i in train], [X[i] for i in val],
            [y[i] for i in val])


def check_finite(X: Sequence[Any], y: Sequence[Any], where: str) -> None:
    """Warn, once, about the first nan/inf in the inputs or targets: one such number turns
    every parameter nan after the first step."""
    for i, (x, t) in enumerate(zip(X, y)):
        for kind, item in (("input", x), ("target", t)):
            values = item if isinstance(item, (list, tuple)) else [item]
            for j, v in enumerate(values):
                f = v.data if isinstance(v, Value) else v
                if isinstance(f, float) and not math.isfinite(f):
                    warnings.warn(
                        f"{where}: {kind} {i} has {f!r} at position {j}; one nan or inf turns "
                        f"every parameter nan after the first step (run under "
                        f"autograd.detect_anomaly() to stop at the first op that makes one)",
                        RuntimeWarning, stacklevel=3)
                    return
