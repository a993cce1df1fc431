"""The Module base: parameters you can name, count, zero, save and load.

A :class:`Module` finds its parameters by reading its own attributes in the order they were
set: a :class:`~autograd.Value` is a parameter, a Module is a child, a list holds either.
Names are dotted paths (``layers.1.neurons.0.w.3``), stable across runs.  Weights are the
parameters named ``w``; they are what ``½λ‖W‖²`` and weight decay act on (biases are not).
The network's building blocks on top of it (Neuron, Layer, MLP) are in :mod:`nn.layers`;
files are written by :mod:`nn.checkpoint` and :mod:`nn.state`.

>>> class Scale(Module):
...     def __init__(self):
...         super().__init__()
...         self.w = Value(3.0)
...         self.label_parameters()
>>> m = Scale()
>>> m.named_parameters(), m.weights() == [m.w]
([('w', Value(3.0, grad=0.0, label='w'))], True)
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Union

from autograd import Value

from .checkpoint import apply_checkpoint, build_model, checkpoint
from .errors import ConfigError, StateFileError
from .state import decode_float, read, write

__all__ = ["Module"]


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

        >>> class Pair(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.w = [Value(1.0), Value(2.0)]; self.b = Value(0.0)
        >>> [p.label for p in Pair().label_parameters().parameters()]
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
        if not isinstance(state, dict):
            raise StateFileError(f"{source}: parameters must be a dict of name: number, "
                               f"got {type(state).__name__}")
        named = self.named_parameters()
        names = [n for n, _ in named]
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in dict(named)]
        if missing or unexpected:
            raise StateFileError(
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
        write(path, checkpoint(self, optimizer, trainer))

    def restore(self, path: Union[str, os.PathLike], optimizer: Any = None,
                trainer: Any = None, *, verify: bool = True) -> None:
        """Load parameters (and optimizer/trainer state) from a file written by :meth:`save`.

        Everything is checked before anything is set: a truncated, corrupted or mismatched
        file raises :class:`~autograd.errors.StateFileError` and leaves all three untouched.
        """
        payload = read(path, verify=verify)
        apply_checkpoint(payload, os.fspath(path), self, optimizer, trainer)

    @classmethod
    def load(cls, path: Union[str, os.PathLike], *, verify: bool = True) -> "Module":
        """Rebuild a model from a file written by :meth:`save` (architecture + parameters)."""
        source = os.fspath(path)
        payload = read(path, verify=verify)
        model = build_model(payload.get("model"), source, len(payload["parameters"]))
        if not isinstance(model, cls):
            raise StateFileError(f"{source}: holds a {type(model).__name__}, not a {cls.__name__}")
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


