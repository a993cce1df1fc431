"""Initializers: how the first weights are drawn, each from an explicit ``random.Random``.

An initializer is a function ``init(n_in, n_out, rng) -> float`` that draws one weight of a
layer with ``n_in`` inputs and ``n_out`` neurons.  Random initialization exists to break
symmetry: with equal weights every hidden unit of a layer computes the same thing and receives
the same gradient, so they stay equal for ever (see :func:`zeros` and the tests).

=====================  =====================================  ==========================
initializer            distribution                           variance
=====================  =====================================  ==========================
zeros, constant(c)     every weight = c                       0
gaussian(mean, std)    N(mean, std²)                          std²
uniform(low, high)     U(low, high)                           (high − low)² / 12
lecun_normal/uniform   N(0, 1/n_in) / U(±√(3/n_in))           1 / n_in     (LeCun)
xavier_normal/uniform  N / U(±√(6/(n_in+n_out)))              2 / (n_in + n_out) (Glorot)
he_normal/uniform      N(0, 2/n_in) / U(±√(6/n_in))           2 / n_in     (He, MSRA, Kaiming)
=====================  =====================================  ==========================

For a convolution the seeds' MSRA fan-in is n_l = k²·d (filter size² × input channels); for
the fully connected layers here it is n_in.

>>> [round(w, 4) for w in sample(he_normal, 100, 10, seed=0)[0][:2]]
[0.1332, -0.1975]
>>> sample(constant(0.5), 2, 2, seed=0)
[[0.5, 0.5], [0.5, 0.5]]
"""

from __future__ import annotations

import math
import random
from typing import Callable, Union

from .errors import ConfigError
from .registry import lookup

__all__ = ["Initializer", "zeros", "ones", "constant", "gaussian", "normal", "uniform",
           "lecun_normal", "lecun_uniform", "xavier_normal", "xavier_uniform", "glorot_normal",
           "glorot_uniform", "he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform",
           "msra", "variance", "sample", "as_rng", "default_for", "BY_NAME"]

#: ``init(n_in, n_out, rng) -> float``: draw one weight.
Initializer = Callable[[int, int, random.Random], float]


def as_rng(seed: Union[int, random.Random, None]) -> random.Random:
    """A ``random.Random`` from a seed (an int), or the generator itself.

    >>> as_rng(3).random() == random.Random(3).random()
    True
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool)):
        return random.Random(seed)
    raise ConfigError(f"seed must be an int, a random.Random or None, not {type(seed).__name__}")


def _named(fn: Initializer, name: str, var: Callable[[int, int], float]) -> Initializer:
    fn.__name__ = fn.__qualname__ = name
    fn.variance = var  # type: ignore[attr-defined]
    return fn


def constant(c: float) -> Initializer:
    """Every weight equal to ``c`` (a symmetric start: hidden units never differ)."""
    c = float(c)
    return _named(lambda n_in, n_out, rng: c, f"constant({c!r})", lambda n_in, n_out: 0.0)


zeros = _named(lambda n_in, n_out, rng: 0.0, "zeros", lambda n_in, n_out: 0.0)
ones = _named(lambda n_in, n_out, rng: 1.0, "ones", lambda n_in, n_out: 0.0)


def gaussian(mean: float = 0.0, std: float = 1.0) -> Initializer:
    """N(mean, std²), the seeds' most common choice."""
    if not std >= 0.0:
        raise ConfigError(f"gaussian std must be >= 0, got {std!r}")
    return _named(lambda n_in, n_out, rng: rng.gauss(mean, std), f"gaussian({mean!r}, {std!r})",
                  lambda n_in, n_out: std * std)


normal = gaussian


def uniform(low: float = -1.0, high: float = 1.0) -> Initializer:
    """U(low, high) (micrograd's default is U(−1, 1))."""
    if not low <= high:
        raise ConfigError(f"uniform needs low <= high, got {low!r}, {high!r}")
    return _named(lambda n_in, n_out, rng: rng.uniform(low, high), f"uniform({low!r}, {high!r})",
                  lambda n_in, n_out: (high - low) ** 2 / 12.0)


def _scaled(name: str, var: Callable[[int, int], float], kind: str) -> Initializer:
    """Zero-mean normal or uniform with variance ``var(n_in, n_out)``."""
    if kind == "normal":
        def draw(n_in: int, n_out: int, rng: random.Random) -> float:
            return rng.gauss(0.0, math.sqrt(var(n_in, n_out)))
    else:
        def draw(n_in: int, n_out: int, rng: random.Random) -> float:
            limit = math.sqrt(3.0 * var(n_in, n_out))  # U(±a) has variance a²/3
            return rng.uniform(-limit, limit)
    return _named(draw, name, var)


def _lecun(n_in: int, n_out: int) -> float:
    return 1.0 / n_in


def _xavier(n_in: int, n_out: int) -> float:
    return 2.0 / (n_in + n_out)


def _he(n_in: int, n_out: int) -> float:
    return 2.0 / n_in


lecun_normal = _scaled("lecun_normal", _lecun, "normal")
lecun_uniform = _scaled("lecun_uniform", _lecun, "uniform")
xavier_normal = glorot_normal = _scaled("xavier_normal", _xavier, "normal")
xavier_uniform = glorot_uniform = _scaled("xavier_uniform", _xavier, "uniform")
he_normal = kaiming_normal = msra = _scaled("he_normal", _he, "normal")
he_uniform = kaiming_uniform = _scaled("he_uniform", _he, "uniform")

#: The initializers that take no arguments, by name.
BY_NAME: dict[str, Initializer] = {
    "zeros": zeros, "ones": ones, "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
    "xavier_normal": xavier_normal, "xavier_uniform": xavier_uniform,
    "glorot_normal": glorot_normal, "glorot_uniform": glorot_uniform,
    "he_normal": he_normal, "he_uniform": he_uniform, "kaiming_normal": kaiming_normal,
    "kaiming_uniform": kaiming_uniform, "msra": msra,
}


def variance(init: Initializer, n_in: int, n_out: int) -> float:
    """The variance an initializer's formula promises for a layer.

    >>> variance(xavier_normal, 30, 10), variance(he_normal, 50, 1)
    (0.05, 0.04)
    """
    return init.variance(n_in, n_out)  # type: ignore[attr-defined]


def sample(init: Initializer, n_in: int, n_out: int,
           seed: Union[int, random.Random, None] = 0) -> list[list[float]]:
    """An ``n_out × n_in`` weight matrix (one row per neuron), drawn row by row."""
    rng = as_rng(seed)
    return [[init(n_in, n_out, rng) for _ in range(n_in)] for _ in range(n_out)]


def default_for(activation: str) -> Initializer:
    """He for the ReLU family (and maxout), Xavier/Glorot for everything else.

    >>> default_for("relu").__name__, default_for("tanh").__name__
    ('he_normal', 'xavier_normal')
    """
    if activation in ("relu", "leaky_relu", "prelu", "rrelu", "elu", "maxout"):
        return he_normal
    return xavier_normal


def resolve(init: Union[str, Initializer, None], activation: str) -> Initializer:
    """An initializer from a name, a function, or None (the default for the activation)."""
    if init is None:
        return default_for(activation)
    return lookup("initializer", init, BY_NAME, "(n_in, n_out, rng) -> float")
