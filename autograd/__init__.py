"""pathgrad's engine: scalar reverse-mode automatic differentiation you can see through.

A tour (every line runs; see the README for more):

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> c = a + b; c.label = "c"
>>> d = b + 1; d.label = "d"
>>> e = c * d; e.label = "e"

``e.backward()`` fills every gradient; ``backward_steps()`` is the same walk, one node at a
time:

>>> for step in e.backward_steps():
...     print(step)
e = c * d: starts with 1; sends 1·2 = 2 to c, 1·3 = 3 to d
d = b + 1: got 3; sends 3·1 = 3 to b
c = a + b: got 2; sends 2·1 = 2 to a, 2·1 = 2 to b (b now holds 5)
b: input, holds 5
a: input, holds 2
>>> e.data, a.grad, b.grad
(6.0, 2.0, 5.0)

The path-sum view of ∂e/∂b = 1·2 + 1·3:

>>> [p.product for p in paths(e) if p.input is b]
[2.0, 3.0]

Forward mode and central differences agree:

>>> forward_gradient(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])
[2.0, 5.0]
>>> bool(gradcheck(lambda a, b: (a + b) * (b + 1), [2.0, 1.0]))
True

Your own op is one declaration, and every tool picks it up (see the README):

>>> softsign = primitive("softsign_tour", lambda x: x / (1 + abs(x)),
...                      lambda x, out: (1 / ((1 + abs(x)) * (1 + abs(x))),))
>>> forward_derivative(softsign, 1.0), derivative(softsign)(1.0)
(0.25, 0.25)

Layers, each importing only those before it: ``errors`` → ``ops`` (one record per op, the
registry) → ``modes`` → ``value`` → ``functional`` (derived ops), ``graph`` (order, the
backward walk, grad) → ``forward`` (dual numbers), ``steps``, ``explain``, ``paths`` →
``render`` (Graphviz, TikZ), ``stepper`` (HTML), ``replay``, ``check`` (finite differences,
gradcheck), ``testing`` (hypothesis strategies), ``cli``.
"""

from .errors import (AnomalyError, BranchChangedError, ExpressionError, GradcheckError, GraphError,
                     GraphTooLargeError, GraphvizNotFoundError, GraphvizTimeoutError,
                     OperandTypeError, PathgradError, PathLimitError, StateFileError)
from .modes import (detect_anomaly, enable_grad, gc_paused, is_anomaly_enabled,
                    is_grad_enabled, no_grad, recording_sites)
from .ops import Domain, primitive
from .value import Value
from . import functional, ops
from .functional import derived
from .functional import (abs, elu, exp, expm1, hard_sigmoid, hard_tanh, leaky_relu, log,
                         log1p, logaddexp, maximum, minimum, relu, sigmoid, silu, softplus,
                         sqrt, swish, tanh)
from .graph import derivative, grad, hvp, topological_order, zero_grad
from .steps import StaleStepperError, Step, Stepper, backward_steps, forward_steps
from .forward import Dual, forward_derivative, forward_gradient, jvp
from .check import (assert_gradients_match, check_modes, gradcheck, gradgradcheck,
                    numerical_derivative, numerical_gradient)
from .blame import blame, blame_graph
from .taylor import taylor_check
from .explain import explain, summarize
from .paths import Path, count_paths, format_paths, path_sums, paths
from .render import Drawing, render, to_dot, to_svg  # the function render shadows the module
from .stepper import to_html, write_html
from .tikz import to_tikz

__all__ = [
    "Value", "no_grad", "enable_grad", "detect_anomaly", "gc_paused", "is_grad_enabled",
    "is_anomaly_enabled", "recording_sites", "functional", "ops", "primitive", "derived",
    "Domain",
    "abs", "elu", "exp", "expm1", "hard_sigmoid", "hard_tanh", "leaky_relu", "log", "log1p",
    "logaddexp", "maximum", "minimum", "relu", "sigmoid", "silu", "softplus", "sqrt", "swish",
    "tanh",
    "Step", "Stepper", "backward_steps", "forward_steps", "derivative", "grad", "hvp", "topological_order", "zero_grad",
    "Dual", "forward_derivative", "forward_gradient", "jvp",
    "gradcheck", "gradgradcheck", "check_modes", "numerical_derivative", "numerical_gradient",
    "assert_gradients_match", "blame", "blame_graph", "taylor_check",
    "explain", "summarize", "Path", "count_paths", "format_paths", "path_sums", "paths",
    "Drawing", "to_dot", "to_svg", "render", "to_html", "write_html",
    "to_tikz",
    "PathgradError", "OperandTypeError", "AnomalyError", "GraphError", "PathLimitError",
    "GradcheckError", "ExpressionError", "GraphvizNotFoundError", "GraphvizTimeoutError",
    "GraphTooLargeError", "StaleStepperError",
    "StateFileError", "BranchChangedError",
]

__version__ = "0.1.0"


# --- another package named ``autograd`` ---------------------------------------------------
# HIPS autograd is imported as ``autograd`` too.  Installed into the same environment, pip
# writes both into one site-packages/autograd/ directory; whichever __init__.py came last
# wins and the other package's files are left mixed in.  Say so at import.
_HIPS_FILES = ("core.py", "tracer.py", "wrap_util.py", "differential_operators.py",
               "extend.py", "numpy", "scipy")


def _conflicts(package_dir: str) -> list[str]:
    """What shows another package in ``package_dir``: files only HIPS autograd ships, and
    ``autograd-*`` distributions (HIPS's name) installed beside it."""
    import os
    found = [name for name in _HIPS_FILES if os.path.exists(os.path.join(package_dir, name))]
    try:
        beside = os.listdir(os.path.dirname(package_dir))
    except OSError:
        beside = []
    found += sorted(name for name in beside if name.lower().startswith("autograd-")
                    and name.lower().endswith((".dist-info", ".egg-info")))
    return found


def _warn_if_mixed() -> None:
    import os
    import warnings
    package_dir = os.path.dirname(os.path.abspath(__file__))
    found = _conflicts(package_dir)
    if found:
        warnings.warn(
            f"another package named 'autograd' (HIPS autograd?) is installed where pathgrad's "
            f"'autograd' is: {', '.join(found)} in {os.path.dirname(package_dir)}.  Both "
            "import as 'autograd', so their files are mixed and neither works reliably; use "
            "one virtual environment per package (see the README, 'HIPS autograd').",
            RuntimeWarning, stacklevel=3)


_warn_if_mixed()
