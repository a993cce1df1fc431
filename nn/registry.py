"""Names for things: initializers and losses are given by name or as the function itself, and
a state file names its model's class.

The two tables of classes start empty and are filled by the module that defines the classes
(:mod:`nn.layers`), so a lower layer can look a class up by name without importing it:
:data:`MODEL_CLASSES` (``"MLP"``, for :func:`nn.checkpoint.build_model`) and
:data:`NEURON_TYPES` (``"maxout"``, for :func:`nn.activations.name_of`).

>>> lookup("loss", "square", {"square": abs}, "(output, target) -> scalar") is abs
True
>>> lookup("loss", "sqare", {"square": abs}, "(output, target) -> scalar")
Traceback (most recent call last):
...
nn.errors.ConfigError: unknown loss 'sqare'; choose one of square
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import ConfigError

__all__ = ["lookup", "MODEL_CLASSES", "NEURON_TYPES"]

#: Model classes a state file may name, by class name (filled by :mod:`nn.layers`).
MODEL_CLASSES: dict[str, type] = {}

#: Activation names that are neuron types, not elementwise functions (filled by
#: :mod:`nn.layers`: ``"maxout"`` is :class:`nn.layers.MaxoutNeuron`).
NEURON_TYPES: dict[str, type] = {}


def lookup(kind: str, spec: Any, registry: dict[str, Callable[..., Any]],
           signature: str) -> Callable[..., Any]:
    """``registry[spec]`` for a name, ``spec`` itself for a function; a clear error otherwise."""
    if isinstance(spec, str):
        try:
            return registry[spec]
        except KeyError:
            raise ConfigError(f"unknown {kind} {spec!r}; choose one of "
                              f"{', '.join(sorted(registry))}") from None
    if not callable(spec):
        raise ConfigError(f"{kind} must be a name or a function {signature}, "
                          f"not {type(spec).__name__}")
    return spec
