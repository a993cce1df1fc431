"""Toy datasets made in code, seeded: two-moons, circles, spirals, XOR.

Each returns ``(X, y)``: a list of ``[x1, x2]`` points and a list of int labels (0/1, or
0..k−1 for spirals).  The same seed gives the same data on every machine (``random.Random``).

>>> X, y = two_moons(100, noise=0.1, seed=0)
>>> len(X), sorted(set(y)), X == two_moons(100, noise=0.1, seed=0)[0]
(100, [0, 1], True)
>>> xor_table()
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
"""

from __future__ import annotations

import math
import random
from typing import Union

from .errors import ConfigError
from .init import as_rng

__all__ = ["two_moons", "circles", "spirals", "xor", "xor_table", "Dataset"]

Dataset = tuple[list[list[float]], list[int]]
Seed = Union[int, random.Random, None]


def _check(n: int, noise: float, what: str) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ConfigError(f"{what}: n must be a positive int, got {n!r}")
    if not noise >= 0.0:
        raise ConfigError(f"{what}: noise must be >= 0, got {noise!r}")


def _linspace(start: float, stop: float, n: int, endpoint: bool = True) -> list[float]:
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1 if endpoint else n)
    return [start + i * step for i in range(n)]


def _shuffle_noise(points: list[list[float]], labels: list[int], noise: float,
                   rng: random.Random) -> Dataset:
    order = list(range(len(points)))
    rng.shuffle(order)
    X = [[points[i][0] + rng.gauss(0.0, noise) if noise else points[i][0],
          points[i][1] + rng.gauss(0.0, noise) if noise else points[i][1]] for i in order]
    return X, [labels[i] for i in order]


def two_moons(n: int = 100, noise: float = 0.1, seed: Seed = 0) -> Dataset:
    """Two interleaving half circles (as scikit-learn's ``make_moons``): the upper moon
    (label 0) is (cos t, sin t), the lower (label 1) is (1 − cos t, 0.5 − sin t), t ∈ [0, π];
    Gaussian noise of std ``noise`` on each coordinate."""
    _check(n, noise, "two_moons")
    rng = as_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, math.pi, n_out)]
    points += [[1.0 - math.cos(t), 0.5 - math.sin(t)] for t in _linspace(0.0, math.pi, n_in)]
    return _shuffle_noise(points, [0] * n_out + [1] * n_in, noise, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: Seed = 0) -> Dataset:
    """A circle of radius 1 (label 0) around one of radius ``factor`` (label 1)."""
    _check(n, noise, "circles")
    if not 0.0 < factor < 1.0:
        raise ConfigError(f"circles: factor must be in (0, 1), got {factor!r}")
    rng = as_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    points = [[math.cos(t), math.sin(t)] for t in _linspace(0.0, 2 * math.pi, n_out, False)]
    points += [[factor * math.cos(t), factor * math.sin(t)]
               for t in _linspace(0.0, 2 * math.pi, n_in, False)]
    return _shuffle_noise(points, [0] * n_out + [1] * n_in, noise, rng)


def spirals(n: int = 100, classes: int = 2, noise: float = 0.2, seed: Seed = 0) -> Dataset:
    """``classes`` interleaved spiral arms (CS231n): arm k has radius r ∈ [0, 1] and angle
    4k + 4r + noise·N(0, 1) (radians); point (r·sin θ, r·cos θ)."""
    _check(n, noise, "spirals")
    if not isinstance(classes, int) or classes < 2:
        raise ConfigError(f"spirals: classes must be an int >= 2, got {classes!r}")
    rng = as_rng(seed)
    points: list[list[float]] = []
    labels: list[int] = []
    for k in range(classes):
        m = n // classes + (1 if k < n % classes else 0)
        for r in _linspace(0.0, 1.0, m):
            theta = 4.0 * k + 4.0 * r + (rng.gauss(0.0, noise) if noise else 0.0)
            points.append([r * math.sin(theta), r * math.cos(theta)])
            labels.append(k)
    return _shuffle_noise(points, labels, 0.0, rng)


def xor(n: int = 200, noise: float = 0.0, margin: float = 0.1, seed: Seed = 0) -> Dataset:
    """Points uniform in [−1, 1]² at least ``margin`` from both axes; label 1 when the two
    coordinates have opposite signs (the XOR of their signs), plus optional noise."""
    _check(n, noise, "xor")
    if not 0.0 <= margin < 1.0:
        raise ConfigError(f"xor: margin must be in [0, 1), got {margin!r}")
    rng = as_rng(seed)
    points, labels = [], []
    for _ in range(n):
        a = rng.uniform(margin, 1.0) * rng.choice((-1.0, 1.0))
        b = rng.uniform(margin, 1.0) * rng.choice((-1.0, 1.0))
        points.append([a, b])
        labels.append(int((a > 0) != (b > 0)))
    return _shuffle_noise(points, labels, noise, rng)


def xor_table() -> Dataset:
    """The four rows of the XOR truth table."""
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]
