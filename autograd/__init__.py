"""pathgrad's engine: scalar reverse-mode automatic differentiation you can see through.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1)
>>> e.backward()
>>> e.data, a.grad, b.grad
(6.0, 2.0, 5.0)
"""

from .errors import (AnomalyError, BranchChangedError, ExpressionError, GradcheckError, GraphError,
                     GraphTooLargeError, GraphvizNotFoundError, OperandTypeError,
                     PathgradError, PathLimitError, StateFileError)
from .value import (Value, detect_anomaly, enable_grad, gc_paused, is_anomaly_enabled,
                    is_grad_enabled, no_grad)
from . import functional, ops
from .functional import (abs, elu, exp, expm1, hard_sigmoid, hard_tanh, leaky_relu, log,
                         log1p, logaddexp, maximum, minimum, relu, sigmoid, silu, softplus,
                         sqrt, swish, tanh)
from .graph import derivative, grad, topological_order, zero_grad
from .steps import Step, backward_steps
from .forward import Dual, forward_derivative, forward_gradient, jvp
from .check import check_modes, gradcheck, gradgradcheck, numerical_derivative, \
    numerical_gradient
from .explain import explain, summarize
from .paths import Path, count_paths, format_paths, path_sums, paths
from .render import Drawing, to_dot, to_svg
from .stepper import to_html, write_html
from .render import render  # noqa: E402  (the function; the module stays importable by name)

__all__ = [
    "Value", "no_grad", "enable_grad", "detect_anomaly", "gc_paused", "is_grad_enabled",
    "is_anomaly_enabled", "functional", "ops",
    "abs", "elu", "exp", "expm1", "hard_sigmoid", "hard_tanh", "leaky_relu", "log", "log1p",
    "logaddexp", "maximum", "minimum", "relu", "sigmoid", "silu", "softplus", "sqrt", "swish",
    "tanh",
    "Step", "backward_steps", "derivative", "grad", "topological_order", "zero_grad",
    "Dual", "forward_derivative", "forward_gradient", "jvp",
    "gradcheck", "gradgradcheck", "check_modes", "numerical_derivative", "numerical_gradient",
    "explain", "summarize", "Path", "count_paths", "format_paths", "path_sums", "paths",
    "Drawing", "to_dot", "to_svg", "render", "to_html", "write_html",
    "PathgradError", "OperandTypeError", "AnomalyError", "GraphError", "PathLimitError",
    "GradcheckError", "ExpressionError", "GraphvizNotFoundError", "GraphTooLargeError",
    "StateFileError", "BranchChangedError",
]

__version__ = "0.1.0"
