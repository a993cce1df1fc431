"""Modules: Neuron, Layer, MLP — parameters you can name, count, zero, save and load.

A :class:`Module` finds its parameters by reading its own attributes in the order they were
set: a :class:`~autograd.Value` is a parameter, a Module is a child, a list holds either.
Names are dotted paths (``layers.1.neurons.0.w.3``), stable across runs.  Weights are the
parameters named ``w``; they are what ``½λ‖W‖²`` and weight decay act on (biases are not).

Every parameter a constructor makes carries its name as its ``label``, so pictures, the
stepper, ``explain`` and paths all say ``layers.0.neurons.1.w.0`` (layer 0, neuron 1,
weight of input 0) and ``layers.0.neurons.1.b`` (its bias) instead of ``#17``; the label is
exactly the ``named_parameters()`` name, and a model rebuilt by :meth:`Module.load` has the
same labels.  A custom module calls :meth:`Module.label_parameters` at the end of its
``__init__``.  Plain numbers fed to a layer become constant leaves named ``x0``, ``x1`` ...
(Values you pass in are used as they are, labels untouched).

A neuron computes z = b + Σ wᵢxᵢ and a = f(z) (the seeds' FNN notation: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ +
b⁽ˡ⁾, a⁽ˡ⁾ = f_l(z⁽ˡ⁾)); a layer is a list of neurons and always returns a list; an MLP is a
list of layers whose last one is linear unless you say otherwise.

>>> MLP(3, [4, 2]).num_parameters(), MLP(3, [4, 4, 1]).num_parameters()
(26, 41)
>>> model = MLP(2, [3, 1], seed=0)
>>> out = model([1.0, -2.0]); len(out), type(out[0]).__name__
(1, 'Value')
>>> [name for name, _ in model.named_parameters()][:3]
['layers.0.neurons.0.w.0', 'layers.0.neurons.0.w.1', 'layers.0.neurons.0.b']
"""

from __future__ import annotations

import os
import random
from typing import Any, Iterator, Optional, Sequence, Union

from autograd import Value
from autograd.functional import maximum

from . import init as _init
from .errors import ConfigError, ShapeError

__all__ = ["Module", "Neuron", "MaxoutNeuron", "Layer", "MLP", "MODEL_CLASSES"]

Seed = Union[int, random.Random, None]


class Module:
    """Base class: parameter discovery, ``zero_grad``, train/eval mode, state dicts, files.

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = Value(2.0); self.b = Value(1.0)
    ...     def __call__(self, x):
    ...         return self.w * x + self.b
    >>> m = Affine()
    >>> m.state_dict()
    {'w': 2.0, 'b': 1.0}
    >>> m(3.0).backward(); m.w.grad
    3.0
    >>> m.zero_grad(); m.w.grad
    0.0
    """

    def __init__(self) -> None:
        self.training = True

    # --- discovery -------------------------------------------------------------------------
    def _children(self) -> Iterator[tuple[str, Any]]:
        """``(name, item)`` for each public attribute that is a Value, a Module or a list."""
        for name, item in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(item, (list, tuple)):
                for i, sub in enumerate(item):
                    if isinstance(sub, (Value, Module)):
                        yield f"{name}.{i}", sub
                    elif isinstance(sub, (list, tuple)) and any(
                            isinstance(s, (Value, Module)) for s in sub):
                        raise ConfigError(f"{type(self).__name__}.{name}: nested lists are not "
                                          f"searched for parameters; use a Module")
            elif isinstance(item, (Value, Module)):
                yield name, item

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Value]]:
        """Every parameter with its dotted name, in a stable order (iterative walk).  A Value
        shared by two modules is listed once, under its first name."""
        out: list[tuple[str, Value]] = []
        seen: dict[int, bool] = {}
        stack: list[tuple[str, Any]] = [(prefix, self)]
        while stack:
            name, item = stack.pop()
            if isinstance(item, Value):
                if id(item) not in seen:
                    seen[id(item)] = True
                    out.append((name, item))
                continue
            children = [(f"{name}.{n}" if name else n, c) for n, c in item._children()]
            stack.extend(reversed(children))
        return out

    def label_parameters(self, prefix: str = "") -> "Module":
        """Set each parameter's ``label`` to its :meth:`named_parameters` name (constructors
        call it; an enclosing module's call renames its children's parameters).  Returns
        self.

        >>> n = Neuron(2, "tanh", seed=0)
        >>> [p.label for p in n.parameters()]
        ['w.0', 'w.1', 'b']
        """
        for name, p in self.named_parameters(prefix):
            p.label = name
        return self

    def parameters(self) -> list[Value]:
        """Every parameter (weights, biases, learnable slopes), in a stable order."""
        return [p for _, p in self.named_parameters()]

    def weights(self) -> list[Value]:
        """The parameters named ``w``: what L2 regularization and weight decay act on."""
        return [p for name, p in self.named_parameters() if _is_weight(name)]

    def modules(self) -> list["Module"]:
        """This module and every module inside it, parents first."""
        out: list[Module] = []
        stack: list[Module] = [self]
        while stack:
            m = stack.pop()
            out.append(m)
            stack.extend(reversed([c for _, c in m._children() if isinstance(c, Module)]))
        return out

    def num_parameters(self) -> int:
        """How many scalars training adjusts (the seeds' parameter count)."""
        return len(self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> "Module":
        """Training mode (RReLU draws random slopes); returns self."""
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> "Module":
        """Evaluation mode (RReLU uses its mean slope); returns self."""
        return self.train(False)

    # --- state -----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter (plain floats, a copy)."""
        return {name: p.data for name, p in self.named_parameters()}

    def _prepare_state(self, state: Any, source: str = "state") -> list[tuple[Value, float]]:
        """Check ``state`` against this module; return the assignments, changing nothing."""
        from .state import decode_float
        if not isinstance(state, dict):
            raise _state_error(f"{source}: parameters must be a dict of name: number, "
                               f"got {type(state).__name__}")
        named = self.named_parameters()
        names = [n for n, _ in named]
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in dict(named)]
        if missing or unexpected:
            raise _state_error(
                f"{source}: parameters do not match this {type(self).__name__} "
                f"({len(names)} parameters): missing {_few(missing)}, unexpected "
                f"{_few(unexpected)}")
        return [(p, decode_float(state[n], f"{source}: parameter {n!r}")) for n, p in named]

    def load_state_dict(self, state: dict) -> None:
        """Set every parameter from ``{name: value}``; the names must match exactly.

        A bad dict raises :class:`~autograd.errors.StateFileError` and changes nothing.
        """
        for p, value in self._prepare_state(state):
            p.data = value

    def config(self) -> dict:
        """The constructor arguments that rebuild this module's architecture."""
        raise ConfigError(f"{type(self).__name__} does not describe its architecture; "
                          "define config() and from_config() to save it")

    @classmethod
    def from_config(cls, config: dict) -> "Module":
        return cls(**config)

    def save(self, path: Union[str, os.PathLike], optimizer: Any = None,
             trainer: Any = None) -> None:
        """Write architecture, parameters (and optimizer/trainer state) to a JSON file,
        atomically.  See :mod:`nn.state` for the format."""
        from .state import write
        write(path, checkpoint(self, optimizer, trainer))

    def restore(self, path: Union[str, os.PathLike], optimizer: Any = None,
                trainer: Any = None, *, verify: bool = True) -> None:
        """Load parameters (and optimizer/trainer state) from a file written by :meth:`save`.

        Everything is checked before anything is set: a truncated, corrupted or mismatched
        file raises :class:`~autograd.errors.StateFileError` and leaves all three untouched.
        """
        from .state import read
        payload = read(path, verify=verify)
        apply_checkpoint(payload, os.fspath(path), self, optimizer, trainer)

    @classmethod
    def load(cls, path: Union[str, os.PathLike], *, verify: bool = True) -> "Module":
        """Rebuild a model from a file written by :meth:`save` (architecture + parameters)."""
        from .state import read
        source = os.fspath(path)
        payload = read(path, verify=verify)
        model = build_model(payload.get("model"), source, len(payload["parameters"]))
        if not isinstance(model, cls):
            raise _state_error(f"{source}: holds a {type(model).__name__}, not a {cls.__name__}")
        apply_checkpoint(payload, source, model)
        return model


def _is_weight(name: str) -> bool:
    """``w`` itself or an item of a list ``w`` (``layers.0.neurons.1.w.2``)."""
    parts = name.split(".")
    return parts[-1] == "w" or (len(parts) >= 2 and parts[-2] == "w" and parts[-1].isdigit())


def _few(names: list) -> str:
    if not names:
        return "none"
    shown = ", ".join(repr(n) for n in names[:3])
    return f"[{shown}{', ...' if len(names) > 3 else ''}] ({len(names)})"


def _state_error(message: str) -> Exception:
    from autograd.errors import StateFileError
    return StateFileError(message)


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
        from . import activations as _act
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
        from . import activations as _act
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
        from . import activations as _act
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
        from . import activations as _act
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

    def __repr__(self) -> str:
        c = self._config
        act = getattr(c["activation"], "__name__", c["activation"])
        return f"MLP({c['nin']}, {c['sizes']}, activation={act!r})"


#: Model classes a state file may name.
MODEL_CLASSES: dict[str, type] = {"MLP": MLP}


def _mlp_minimum_parameters(config: dict, source: str) -> int:
    """The fewest parameters an MLP of ``config`` has (weights and biases; PReLU and maxout
    add more), from the sizes alone, so a forged ``sizes: [10**7]`` is refused before any
    Value is made."""
    from .state import expect
    nin, sizes = config.get("nin"), config.get("sizes")
    dims = [nin] + (sizes if isinstance(sizes, list) else [None])
    expect(all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims)
           and len(dims) >= 2, source,
           f"cannot rebuild MLP from its config: it needs a positive int 'nin' and a "
           f"non-empty list of positive int 'sizes', got nin={nin!r:.40}, sizes={sizes!r:.60}")
    return sum((dims[i] + 1) * dims[i + 1] for i in range(len(dims) - 1))


#: For each model class a state file may name, the fewest parameters its config implies.
_MINIMUM_PARAMETERS = {"MLP": _mlp_minimum_parameters}


def build_model(spec: Any, source: str, n_parameters: Optional[int] = None) -> Module:
    """A fresh model from a state file's ``model`` section.

    When ``n_parameters`` (how many the file holds) is given, a config that needs more is
    refused before anything is built: the model never allocates more than the file holds.
    """
    from .state import expect
    expect(isinstance(spec, dict) and set(spec) == {"class", "config"}, source,
           "'model' must be an object with 'class' and 'config'")
    cls = MODEL_CLASSES.get(spec["class"]) if isinstance(spec["class"], str) else None
    expect(cls is not None, source, f"unknown model class {spec['class']!r:.40} "
                                    f"(known: {sorted(MODEL_CLASSES)})")
    config = spec["config"]
    expect(isinstance(config, dict), source, "model config must be an object")
    minimum = _MINIMUM_PARAMETERS.get(spec["class"])
    if n_parameters is not None and minimum is not None:
        need = minimum(config, source)
        expect(need <= n_parameters, source,
               f"the model config needs at least {need} parameters but the file holds "
               f"{n_parameters}")
    try:
        return cls.from_config(config)
    except (TypeError, ValueError, OverflowError, ArithmeticError) as e:
        raise _state_error(f"{source}: cannot rebuild {spec['class']} from its config: {e}"
                           ) from None


def checkpoint(model: Module, optimizer: Any = None, trainer: Any = None) -> dict:
    """The body of a state file: architecture, parameters, optimizer and trainer state."""
    from .state import encode_float
    try:
        model_spec: Any = {"class": type(model).__name__, "config": model.config()}
    except ConfigError:
        if type(model).__name__ in MODEL_CLASSES:
            raise
        model_spec = None  # a custom module: parameters only, restore() into an instance
    named = model.named_parameters()
    body: dict = {"model": model_spec,
                  "parameters": {n: encode_float(p.data) for n, p in named},
                  "optimizer": None, "trainer": None}
    if optimizer is not None:
        names = {id(p): n for n, p in named}
        missing = [i for i, p in enumerate(optimizer.params) if id(p) not in names]
        if missing:
            raise ConfigError(f"cannot save optimizer: its parameter #{missing[0]} is not a "
                              f"parameter of the model")
        state = optimizer.state_dict()
        state["params"] = [names[id(p)] for p in optimizer.params]
        body["optimizer"] = state
    if trainer is not None:
        body["trainer"] = trainer.state_dict()
    return body


def apply_checkpoint(payload: dict, source: str, model: Module, optimizer: Any = None,
                     trainer: Any = None) -> None:
    """Check every part of a state file against the objects, then set them all (or none)."""
    from .state import expect, section
    assignments = model._prepare_state(payload["parameters"], source)
    opt_apply = trainer_apply = None
    if optimizer is not None:
        opt_state = section(payload, "optimizer", source)
        expect(opt_state is not None, source, "holds no optimizer state")
        names = {id(p): n for n, p in model.named_parameters()}
        expected = [names.get(id(p)) for p in optimizer.params]
        expect(opt_state.get("params") == expected, source,
               "optimizer state is for different parameters than this optimizer holds")
        opt_apply = optimizer._prepare_state(opt_state, source)
    if trainer is not None:
        tr_state = section(payload, "trainer", source)
        expect(tr_state is not None, source, "holds no trainer state")
        trainer_apply = trainer._prepare_state(tr_state, source)
    for p, value in assignments:
        p.data = value
    if opt_apply is not None:
        opt_apply()
    if trainer_apply is not None:
        trainer_apply()
