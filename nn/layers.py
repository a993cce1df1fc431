"""Layers: Neuron, MaxoutNeuron, Layer, MLP — the network's building blocks on :class:`Module`.

Every parameter a constructor makes carries its name as its ``label``, so pictures, the
stepper, ``explain`` and paths all say ``layers.0.neurons.1.w.0`` (layer 0, neuron 1,
weight of input 0) and ``layers.0.neurons.1.b`` (its bias) instead of ``#17``; the label is
exactly the ``named_parameters()`` name, and a model rebuilt by :meth:`Module.load` has the
same labels.  A custom module calls :meth:`Module.label_parameters` at the end of its
``__init__``.  Plain numbers fed to a layer become constant leaves named ``x0``, ``x1`` ...
(Values you pass in are used as they are, labels untouched).

A neuron computes z = b + Σ wᵢxᵢ and a = f(z) (the seeds' FNN notation: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ +
b⁽ˡ⁾, a⁽ˡ⁾ = f_l(z⁽ˡ⁾)); a layer is a list of neurons and always returns a list; an MLP is a
list of layers whose last one is linear unless you say otherwise.  Activations come from
:mod:`nn.activations`; this module registers the names the lower layers look up
(``MODEL_CLASSES["MLP"]`` for state files, ``NEURON_TYPES["maxout"]`` for activations).

>>> MLP(3, [4, 2]).num_parameters(), MLP(3, [4, 4, 1]).num_parameters()
(26, 41)
>>> model = MLP(2, [3, 1], seed=0)
>>> out = model([1.0, -2.0]); len(out), type(out[0]).__name__
(1, 'Value')
>>> [name for name, _ in model.named_parameters()][:3]
['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.b']
>>> [p.label for p in Neuron(2, "tanh", seed=0).parameters()]
['w.0', 'w.1', 'b']
"""

from __future__ import annotations

import random
from typing import Any, Optional, Sequence, Union

from autograd import Value
from autograd.functional import maximum

from . import activations as _act
from . import init as _init
from .errors import ConfigError, ShapeError
from .modules import Module
from .registry import MODEL_CLASSES, NEURON_TYPES
from .state import expect

__all__ = ["Neuron", "MaxoutNeuron", "Layer", "MLP", "MODEL_CLASSES"]

Seed = Union[int, random.Random, None]


def _lift_inputs(x: Sequence[Any], n: int, where: str) -> list:
    """Check the input length; turn plain numbers into constant leaves once, not per neuron."""
    try:
        size = len(x)
    except TypeError:
        raise ShapeError(f"{where} expects a sequence of {n} numbers, "
                         f"got {type(x).__name__}") from None
    if size != n:
        raise ShapeError(f"{where} expects {n} inputs, got {size}")
    return [xi if isinstance(xi, Value) else Value(xi, label=f"x{i}", requires_grad=False)
            for i, xi in enumerate(x)]


class Neuron(Module):
    """z = b + Σ wᵢxᵢ, a = f(z).  ``w`` is drawn by ``init(n_in, n_out, rng)``; ``b`` starts
    at ``bias``.

    >>> n = Neuron(2, "identity", init=_init.constant(0.5))
    >>> n([2.0, 4.0])
    Value(3.0, grad=0.0, op='+')
    """

    def __init__(self, nin: int, activation: Any = "relu", *, init: Any = None,
                 bias: float = 0.0, seed: Seed = None, n_out: int = 1,
                 activation_kwargs: Optional[dict] = None) -> None:
        super().__init__()
        if not isinstance(nin, int) or isinstance(nin, bool) or nin < 1:
            raise ConfigError(f"Neuron needs a positive int number of inputs, got {nin!r}")
        rng = _init.as_rng(seed)
        name = _act.name_of(activation)
        draw = _init.resolve(init, name or "identity")
        self.w = [Value(float(draw(nin, n_out, rng))) for _ in range(nin)]
        self.b = Value(float(bias))
        self.act = _act.make(activation, rng, **(activation_kwargs or {}))
        self._nin = nin
        self.label_parameters()

    def __call__(self, x: Sequence[Any]) -> Value:
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        return self.act(z)

    def __repr__(self) -> str:
        name = getattr(self.act, "__name__", type(self.act).__name__)
        return f"Neuron({self._nin}, {name!r})"


class MaxoutNeuron(Module):
    """Maxout: max over ``pieces`` linear units, maxᵢ (bᵢ + wᵢ·x) — a generalization of ReLU
    (ReLU is max(w·x + b, 0)) with ``pieces`` times the parameters.

    >>> m = MaxoutNeuron(2, pieces=2, seed=0)
    >>> m.num_parameters()
    6
    """

    def __init__(self, nin: int, *, pieces: int = 2, init: Any = None, seed: Seed = None,
                 n_out: int = 1) -> None:
        super().__init__()
        if not isinstance(pieces, int) or pieces < 1:
            raise ConfigError(f"maxout needs a positive int number of pieces, got {pieces!r}")
        rng = _init.as_rng(seed)
        draw = _init.resolve(init, "maxout")
        self.pieces = [Neuron(nin, "identity", init=draw, seed=rng, n_out=n_out)
                       for _ in range(pieces)]
        self.label_parameters()

    def __call__(self, x: Sequence[Any]) -> Value:
        out = self.pieces[0](x)
        for piece in self.pieces[1:]:
            out = maximum(out, piece(x))
        return out


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs.  Always returns a list, even of one.

    >>> layer = Layer(3, 1, "tanh", seed=0)
    >>> out = layer([1.0, 2.0, 3.0]); isinstance(out, list), len(out)
    (True, 1)
    """

    def __init__(self, nin: int, nout: int, activation: Any = "relu", *, init: Any = None,
                 seed: Seed = None, activation_kwargs: Optional[dict] = None) -> None:
        super().__init__()
        if not isinstance(nout, int) or isinstance(nout, bool) or nout < 1:
            raise ConfigError(f"Layer needs a positive int number of neurons, got {nout!r}")
        rng = _init.as_rng(seed)
        kwargs = dict(activation_kwargs or {})
        if _act.name_of(activation) == "maxout":
            pieces = kwargs.pop("pieces", 2)
            if kwargs:
                raise ConfigError(f"maxout takes only 'pieces', got {sorted(kwargs)}")
            self.neurons: list = [MaxoutNeuron(nin, pieces=pieces, init=init, seed=rng,
                                               n_out=nout) for _ in range(nout)]
        else:
            self.neurons = [Neuron(nin, activation, init=init, seed=rng, n_out=nout,
                                   activation_kwargs=kwargs) for _ in range(nout)]
        self._nin = nin
        self.label_parameters()

    def __call__(self, x: Sequence[Any]) -> list[Value]:
        x = _lift_inputs(x, self._nin, f"Layer({self._nin}, {len(self.neurons)})")
        return [n(x) for n in self.neurons]


class MLP(Module):
    """A multi-layer perceptron: ``MLP(nin, [sizes...])``.  Hidden layers use ``activation``;
    the output layer uses ``output_activation`` (linear by default, as the seeds advise: the
    last layer gives scores).  Returns the output layer's list.

    ``init`` draws the weights (default: He for the ReLU family, Xavier otherwise); ``seed``
    (an int or a ``random.Random``) makes the draws reproducible.

    >>> model = MLP(2, [16, 16, 1], activation="relu", init=_init.he_normal, seed=0)
    >>> model.num_parameters()
    337
    >>> MLP.from_config(model.config()).config() == model.config()
    True
    """

    def __init__(self, nin: int, sizes: Sequence[int], activation: Any = "relu", *,
                 output_activation: Any = "identity", init: Any = None, seed: Seed = None,
                 activation_kwargs: Optional[dict] = None,
                 output_activation_kwargs: Optional[dict] = None) -> None:
        super().__init__()
        if not isinstance(nin, int) or isinstance(nin, bool) or nin < 1:
            raise ConfigError(f"MLP needs a positive int number of inputs, got {nin!r}")
        sizes = list(sizes)
        if not sizes:
            raise ConfigError("MLP needs at least one layer size")
        for spec in (activation, output_activation):
            if isinstance(spec, str) and _act.name_of(spec) is None:
                raise ConfigError(f"unknown activation {spec!r}; choose one of "
                                  f"{', '.join(_act.NAMES)}")
        rng = _init.as_rng(seed)
        dims = [nin] + sizes
        self.layers = [
            Layer(dims[i], dims[i + 1],
                  activation if i < len(sizes) - 1 else output_activation,
                  init=init, seed=rng,
                  activation_kwargs=(activation_kwargs if i < len(sizes) - 1
                                     else output_activation_kwargs))
            for i in range(len(sizes))]
        self._config = {"nin": nin, "sizes": sizes, "activation": activation,
                        "output_activation": output_activation,
                        "activation_kwargs": dict(activation_kwargs or {}),
                        "output_activation_kwargs": dict(output_activation_kwargs or {})}
        self.label_parameters()

    @property
    def nin(self) -> int:
        return self._config["nin"]

    @property
    def sizes(self) -> list[int]:
        return list(self._config["sizes"])

    def __call__(self, x: Sequence[Any]) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def forward_layers(self, x: Sequence[Any]) -> list[list[Value]]:
        """Every layer's outputs, first hidden layer first (for activation statistics)."""
        outs = []
        for layer in self.layers:
            x = layer(x)
            outs.append(x)
        return outs

    def config(self) -> dict:
        cfg = dict(self._config)
        for key in ("activation", "output_activation"):
            name = _act.name_of(cfg[key])
            if name is None:
                raise ConfigError(
                    f"cannot save MLP: its {key} {cfg[key]!r:.60} has no registered name; "
                    "register it with nn.activations.register(name, fn)")
            cfg[key] = name
        cfg["sizes"] = list(cfg["sizes"])
        return cfg

    @classmethod
    def minimum_parameters(cls, config: dict, source: str = "config") -> int:
        """The fewest parameters an MLP of ``config`` has (weights and biases; PReLU and
        maxout add more), from the sizes alone, so a state file's forged ``sizes: [10**7]`` is
        refused before any Value is made (:func:`nn.checkpoint.build_model`).

        >>> MLP.minimum_parameters({"nin": 3, "sizes": [4, 2]})
        26
        """
        nin, sizes = config.get("nin"), config.get("sizes")
        dims = [nin] + (sizes if isinstance(sizes, list) else [None])
        expect(all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims)
               and len(dims) >= 2, source,
               f"cannot rebuild MLP from its config: it needs a positive int 'nin' and a "
               f"non-empty list of positive int 'sizes', got nin={nin!r:.40}, "
               f"sizes={sizes!r:.60}")
        return sum((dims[i] + 1) * dims[i + 1] for i in range(len(dims) - 1))

    def __repr__(self) -> str:
        c = self._config
        act = getattr(c["activation"], "__name__", c["activation"])
        return f"MLP({c['nin']}, {c['sizes']}, activation={act!r})"


MODEL_CLASSES["MLP"] = MLP
NEURON_TYPES["maxout"] = MaxoutNeuron
