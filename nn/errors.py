"""Errors of the network library, rooted in :class:`autograd.PathgradError`.

Each also subclasses the builtin a caller would expect, so ``except ValueError`` keeps working.
A state file that is malformed, truncated or does not match the model raises the engine's
:class:`autograd.StateFileError` (re-exported here).

>>> issubclass(ShapeError, ValueError), issubclass(ConfigError, PathgradError)
(True, True)
"""

from __future__ import annotations

from autograd.errors import OperandTypeError, PathgradError, StateFileError

__all__ = ["ShapeError", "ConfigError", "StateFileError", "OperandTypeError", "PathgradError"]


class ShapeError(PathgradError, ValueError):
    """An input, a batch or a target had the wrong number of elements for the model."""


class ConfigError(PathgradError, ValueError):
    """A model, loss, optimizer or trainer was given a setting it cannot use."""
