"""Names for functions: initializers and losses are given by name or as the function itself.

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

__all__ = ["lookup"]


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
