"""Activations: the seeds' nonlinearities, usable by name or as functions.

Elementwise activations are the engine's derived ops from :mod:`autograd.functional` (never
re-derived here), so each works on floats, Values and Duals alike.  Two need state and are
small modules, one per neuron: :class:`PReLU` (a learnable slope) and :class:`RReLU` (a random
slope while training, the mean slope in evaluation).  Maxout is not elementwise — it takes the
max over k linear pieces — so it is a neuron type (:class:`nn.layers.MaxoutNeuron`), chosen
with ``activation="maxout"``; this module knows the name, and finds the class through
:data:`nn.registry.NEURON_TYPES` (layers import activations, never the other way round).

============  ============================================  =================================
name          f(x)                                          note
============  ============================================  =================================
identity      x                                             the default output layer
sigmoid       1 / (1 + e⁻ˣ)                                 fused, stable at ±1000
tanh          (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)                       fused
relu          max(0, x)                                     relu'(0) = ½ (the max tie)
leaky_relu    max(x, γx), γ = ``slope`` (0.01)
prelu         max(0, x) + a·min(0, x), a learnable          one ``a`` per neuron
rrelu         leaky ReLU with slope ~ U(lower, upper)       mean slope in eval mode
elu           max(0, x) + α·expm1(min(0, x))
softplus      ln(1 + eˣ)                                    smooth ReLU
hard_sigmoid  max(min(0.25x + 0.5, 1), 0)                   the seeds' hard-logistic
hard_tanh     max(min(x, 1), −1)
maxout        max over k pieces wᵢ·x + bᵢ                   a neuron type, k = ``pieces`` (2)
============  ============================================  =================================

>>> relu(-2.0), leaky_relu(-2.0, 0.1), hard_tanh(3.0)
(0.0, -0.2, 1.0)
>>> make("leaky_relu", slope=0.2)(-1.0)
-0.2
>>> all(name in NAMES for name in ("prelu", "rrelu", "maxout", "hard_sigmoid", "identity"))
True
"""

from __future__ import annotations

import functools
import math
import numbers
import random
from typing import Any, Callable, Optional, Union

from autograd import Value
from autograd.functional import (elu, hard_sigmoid, hard_tanh, leaky_relu, minimum, relu,
                                 sigmoid, softplus, tanh)

from .errors import ConfigError
from .modules import Module
from .registry import NEURON_TYPES

__all__ = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
           "hard_sigmoid", "hard_tanh", "PReLU", "RReLU", "FUNCTIONS", "NAMES", "make",
           "name_of", "register", "ActivationSpec"]

#: What a caller may pass as an activation: a registered name or a one-argument callable.
ActivationSpec = Union[str, Callable[[Any], Any]]


def identity(x: Any) -> Any:
    """x (a linear unit: the default for output layers)."""
    return x


class PReLU(Module):
    """Parametric ReLU: max(0, x) + a·min(0, x), with the slope ``a`` a learnable parameter.

    One PReLU per neuron, as in the seeds (PReLUᵢ has its own γᵢ).

    >>> act = PReLU(init=0.25)
    >>> x = Value(-2.0)
    >>> y = act(x); y.backward()
    >>> y.data, act.a.grad, x.grad
    (-0.5, -2.0, 0.25)
    >>> [name for name, _ in act.named_parameters()]
    ['a']
    """

    def __init__(self, init: float = 0.25) -> None:
        super().__init__()
        _check_constant("prelu", "init", init)
        self.a = Value(float(init))

    def __call__(self, x: Any) -> Any:
        return relu(x) + self.a * minimum(x, 0.0)

    def config(self) -> dict:
        return {"init": self.a.data}


class RReLU(Module):
    """Randomized leaky ReLU: in training each call draws a slope from U(lower, upper); in
    evaluation the slope is the mean (lower + upper) / 2.  Seeded: the draws are reproducible.

    >>> act = RReLU(lower=0.1, upper=0.3, seed=0)
    >>> act.eval()(-1.0)
    -0.2
    >>> -0.3 <= act.train()(-1.0) <= -0.1
    True
    """

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3,
                 seed: Union[int, random.Random, None] = 0) -> None:
        super().__init__()
        _check_constant("rrelu", "lower", lower)
        _check_constant("rrelu", "upper", upper)
        if not 0.0 <= lower <= upper <= 1.0:
            raise ConfigError(f"RReLU needs 0 <= lower <= upper <= 1, got {lower!r}, {upper!r}")
        self.lower, self.upper = float(lower), float(upper)
        self._rng = seed if isinstance(seed, random.Random) else random.Random(seed)

    def __call__(self, x: Any) -> Any:
        slope = (self._rng.uniform(self.lower, self.upper) if self.training
                 else 0.5 * (self.lower + self.upper))
        return leaky_relu(x, slope)

    def config(self) -> dict:
        return {"lower": self.lower, "upper": self.upper}


#: Stateless activations by name (the engine's derived ops).
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "identity": identity, "linear": identity, "sigmoid": sigmoid, "logistic": sigmoid,
    "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu, "elu": elu, "softplus": softplus,
    "hard_sigmoid": hard_sigmoid, "hard_logistic": hard_sigmoid, "hard_tanh": hard_tanh,
}

#: Every activation name :func:`make` accepts (maxout is handled by the layer).
NAMES: tuple[str, ...] = tuple(sorted(set(FUNCTIONS) | {"prelu", "rrelu", "maxout"}))

_STATEFUL = {"prelu": PReLU, "rrelu": RReLU}
_KWARGS = {"leaky_relu": {"slope"}, "elu": {"alpha"}, "prelu": {"init"},
           "rrelu": {"lower", "upper"}, "maxout": {"pieces"}}


def _check_constant(activation: str, key: str, value: Any) -> None:
    """An activation's constant (``slope``, ``alpha``, ``init``, ``lower``, ``upper``) must be
    a finite real number; checked the same way by the constructors and by state-file loading."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"activation {activation!r}: {key} must be a number, got "
                          f"{type(value).__name__} {value!r:.40}")
    if not math.isfinite(value):
        raise ConfigError(f"activation {activation!r}: {key} must be finite, got {value!r}")


def register(name: str, fn: Callable[[Any], Any]) -> None:
    """Make a one-argument activation usable by ``name`` (and savable in state files).

    >>> register("square", lambda x: x * x)
    >>> make("square")(3.0)
    9.0
    """
    if not isinstance(name, str) or not name or name in _STATEFUL or name == "maxout":
        raise ConfigError(f"cannot register activation name {name!r}")
    if not callable(fn):
        raise ConfigError(f"activation {name!r} must be callable, got {type(fn).__name__}")
    FUNCTIONS[name] = fn
    global NAMES
    NAMES = tuple(sorted(set(FUNCTIONS) | {"prelu", "rrelu", "maxout"}))


def name_of(spec: ActivationSpec) -> Optional[str]:
    """The registered name of an activation given by name or function, else None.

    >>> name_of(relu), name_of("tanh"), name_of(lambda x: x)
    ('relu', 'tanh', None)
    """
    if isinstance(spec, str):
        return spec if spec in NAMES else None
    for name, fn in FUNCTIONS.items():
        if fn is spec:
            return name
    for name, cls in _STATEFUL.items():
        if spec is cls:
            return name
    for name, cls in NEURON_TYPES.items():
        if spec is cls:
            return name
    return None


def make(spec: ActivationSpec, rng: Optional[random.Random] = None, **kwargs: Any
         ) -> Callable[[Any], Any]:
    """The per-neuron activation for ``spec``: a function, or a fresh PReLU/RReLU module.

    ``kwargs`` set the activation's constants (``slope`` for leaky ReLU, ``alpha`` for ELU,
    ``init`` for PReLU, ``lower``/``upper`` for RReLU).  ``rng`` seeds RReLU's draws.
    """
    name = name_of(spec)
    if name is None:
        if isinstance(spec, str):
            raise ConfigError(f"unknown activation {spec!r}; choose one of {', '.join(NAMES)}")
        if not callable(spec):
            raise ConfigError(f"activation must be a name or a callable, "
                            f"not {type(spec).__name__}")
        fn = spec
    elif name == "maxout":
        raise ConfigError("maxout is a neuron type, not an elementwise function: "
                         "use Layer/MLP(..., activation='maxout')")
    else:
        allowed = _KWARGS.get(name, set())
        unknown = sorted(set(kwargs) - allowed)
        if unknown:
            raise ConfigError(f"activation {name!r} takes no parameter {unknown[0]!r}"
                             f" (allowed: {sorted(allowed) or 'none'})")
        for key, value in kwargs.items():
            _check_constant(name, key, value)
        if name == "prelu":
            return PReLU(**kwargs)
        if name == "rrelu":
            seed = random.Random(rng.getrandbits(64)) if rng is not None else 0
            return RReLU(seed=seed, **kwargs)
        fn = FUNCTIONS[name]
    return functools.partial(fn, **kwargs) if kwargs else fn

