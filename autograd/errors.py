"""The exceptions pathgrad raises.

Every error derives from :class:`PathgradError` and from the builtin a caller would
expect (``TypeError``, ``ValueError`` ...), so ``except TypeError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "PathgradError",
    "OperandTypeError",
    "AnomalyError",
    "GraphError",
    "PathLimitError",
    "GradcheckError",
    "ExpressionError",
    "GraphvizNotFoundError",
    "GraphTooLargeError",
    "GraphvizTimeoutError",
    "StateFileError",
    "BranchChangedError",
]


class PathgradError(Exception):
    """Root of every error raised by pathgrad."""


class OperandTypeError(PathgradError, TypeError):
    """An operand of a Value op was not a number or a Value."""


class AnomalyError(PathgradError, FloatingPointError):
    """Under anomaly mode, an op produced nan or inf in its forward or backward pass."""


class GraphError(PathgradError, ValueError):
    """A graph was used in a way its structure does not allow."""


class PathLimitError(PathgradError, ValueError):
    """Enumerating input-to-output paths would exceed the allowed number of paths."""


class GradcheckError(PathgradError, AssertionError):
    """Analytic and numerical gradients disagree beyond the tolerance."""


class ExpressionError(PathgradError, ValueError):
    """A command-line expression is malformed or uses something not allowed."""


class GraphvizNotFoundError(PathgradError, RuntimeError):
    """Neither the system ``dot`` program nor a pip-installed Graphviz was found."""


class GraphTooLargeError(PathgradError, ValueError):
    """A graph has too many nodes to draw as one readable picture."""


class GraphvizTimeoutError(PathgradError, TimeoutError):
    """Graphviz took longer than the allowed time to lay out a picture."""


class StateFileError(PathgradError, ValueError):
    """A saved state file is malformed, truncated, or does not match the model."""


class BranchChangedError(PathgradError, RuntimeError):
    """A replay's inputs would take a different Python branch than the traced run did."""
