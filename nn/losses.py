"""Losses for one example, and the L2 penalty ½λ‖W‖².

Each loss takes the model's output for one example (a Value, a number, or a list of them — a
one-element list counts as its element) and the target, and returns a scalar.  They are written
with the engine's derived ops, so they work on floats, Values and Duals, and they stay finite —
values and gradients — at logits of ±1000:

- binary cross-entropy from a logit z: softplus(z) − y·z  (= −y·log σ(z) − (1−y)·log(1−σ(z)));
- softmax cross-entropy: logsumexp(z) − z_y = (z_k − z_y) + log1p(Σ_{i≠k} e^(z_i − z_k)) with
  z_k the largest logit: no exponent is positive, and z_k − z_y is taken before the log is
  added, so three equal logits of 1e16 give ln 3, not 0.

The trainer averages a loss over a batch: R = (1/N) Σ L(y⁽ⁿ⁾, ŷ⁽ⁿ⁾) + ½λ‖W‖² (the seeds'
regularized risk).  Each loss says what kind of task it is (``loss.task``: ``"binary"``,
``"multiclass"`` or ``"regression"``), which decides how accuracy is counted.

>>> softmax_cross_entropy([1000.0, 0.0, -1000.0], 0), softmax_cross_entropy([0.0, 0.0], 1)
(0.0, 0.6931471805599453)
>>> bce_with_logits(-1000.0, 1)
1000.0
>>> hinge(0.3, -1), round(multiclass_hinge([3.2, 5.1, -1.7], 0), 12)
(1.3, 2.9)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Optional, Sequence

from autograd import Value
from autograd.functional import exp, log1p, relu, softplus

from .errors import ConfigError, ShapeError
from .registry import lookup

__all__ = ["mse", "half_l2", "bce_with_logits", "binary_cross_entropy_with_logits",
           "softmax_cross_entropy", "cross_entropy", "logsumexp", "hinge", "multiclass_hinge",
           "l2_penalty", "BY_NAME", "get"]


def _task(kind: str, encode_target: Optional[Callable[[Any], Any]] = None
          ) -> Callable[[Callable], Callable]:
    """Mark a loss with its task and, where its targets are data rather than structure,
    ``encode_target``: the numbers the loss computes with (a binary label as the float it
    multiplies by).  A replayed step feeds those numbers instead of baking labels in."""
    def mark(fn: Callable) -> Callable:
        fn.task = kind  # type: ignore[attr-defined]
        fn.encode_target = encode_target  # type: ignore[attr-defined]
        return fn
    return mark


def _same(target: Any) -> Any:
    return target


def _scalar(output: Any, where: str) -> Any:
    """The single score of a one-output model."""
    if isinstance(output, (list, tuple)):
        if len(output) != 1:
            raise ShapeError(f"{where} expects one output, got {len(output)}")
        return output[0]
    return output


def _vector(output: Any) -> list:
    return list(output) if isinstance(output, (list, tuple)) else [output]


def _label(y: Any, where: str) -> Any:
    """A binary label as +1/−1: 1 or True is positive, 0, −1 or False negative.

    A label that is a Value is data (e.g. fed by a replayed step): it is used as it is, so it
    must already hold ±1 (hinge) or 0/1 (cross-entropy)."""
    if isinstance(y, Value):
        return y
    if y in (1, True):
        return 1.0
    if y in (0, -1, False):
        return -1.0
    raise ConfigError(f"{where}: binary labels must be 0/1 or -1/+1, got {y!r}")


# Past 2⁵¹⁰ a square overflows; such differences are scaled by √factor before squaring, so a
# loss whose value is finite is computed finite, and so is each gradient factor·2dᵢ on the
# way back.  Ordinary sizes take the plain sum (exact as before: no √ rounding).
_HUGE = 2.0 ** 510


def _scaled_sum_of_squares(name: str, output: Any, target: Any, factor: float) -> Any:
    """factor · Σ (ŷᵢ − yᵢ)², without overflow where the result is finite."""
    outs, targets = _vector(output), _vector(target)
    if len(outs) != len(targets):
        raise ShapeError(f"{name}: {len(outs)} outputs but {len(targets)} targets")
    diffs = [o - t for o, t in zip(outs, targets)]
    total: Any = 0.0
    if not max((abs(_data(d)) for d in diffs), default=0.0) > _HUGE:
        for d in diffs:
            total = total + d * d
        return total * factor
    root = math.sqrt(factor)
    for d in diffs:
        d = d * root
        total = total + d * d
    return total


@_task("regression", _same)
def mse(output: Any, target: Any) -> Any:
    """Mean squared error over the outputs: (1/k) Σ (ŷᵢ − yᵢ)².

    >>> mse([1.0, 3.0], [0.0, 1.0])
    2.5
    """
    return _scaled_sum_of_squares("mse", output, target, 1.0 / len(_vector(output)))


@_task("regression", _same)
def half_l2(output: Any, target: Any) -> Any:
    """½ Σ (ŷᵢ − yᵢ)², the seeds' L = ½(ŷ − y)² (gradient ŷ − y).

    >>> half_l2(3.0, 1.0)
    2.0
    """
    return _scaled_sum_of_squares("half_l2", output, target, 0.5)


@_task("binary", lambda y: 1.0 if _label(y, "bce_with_logits") > 0 else 0.0)
def bce_with_logits(output: Any, target: Any) -> Any:
    """Binary cross-entropy of a logit z against y ∈ {0, 1}: (1 − y)·softplus(z) + y·softplus(−z).

    That is softplus(z) − y·z written without the cancellation of two large terms, so it is
    accurate on both sides of 0 (bce(40, 1) = e⁻⁴⁰ ≈ 4.25e-18, not 0).  Gradient σ(z) − y,
    finite everywhere; the value never computes log σ(z) directly.  Labels −1/+1 are
    accepted too (−1 means 0).

    >>> bce_with_logits(40.0, 1)
    4.248354255291589e-18
    """
    z = _scalar(output, "bce_with_logits")
    y = _label(target, "bce_with_logits")
    if not isinstance(y, Value):
        y = 1.0 if y > 0 else 0.0
    # the label is data, not a branch: one graph for every label
    return (1.0 - y) * softplus(z) + y * softplus(-z)


binary_cross_entropy_with_logits = bce_with_logits


def _shifted(values: Sequence[Any]) -> tuple[Any, Any]:
    """(z_k, Σ_{i≠k} e^(z_i − z_k)) for the largest z_k, so log Σ e^(zᵢ) = z_k + log1p(rest).

    The shift is the largest input itself (a node, not a detached number), so its gradient is
    exact: every exponent is ≤ 0 and nothing overflows; the term e⁰ = 1 is never rounded into
    the sum, so the log1p keeps the digits of a small rest.
    """
    values = list(values)
    if not values:
        raise ShapeError("logsumexp of no values")
    k = 0
    for i, v in enumerate(values):
        vk, vi = _data(values[k]), _data(v)
        if vi > vk or vi != vi:  # nan wins, as in max
            k = i
    top = values[k]
    rest: Any = 0.0
    for i, v in enumerate(values):
        if i != k:
            rest = rest + exp(v - top)
    return top, rest


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def logsumexp(values: Sequence[Any]) -> Any:
    """log Σ e^(vᵢ) = z_k + log1p(Σ_{i≠k} e^(z_i − z_k)) with z_k the largest input.

    Exact to a few ulps at any finite inputs; its gradient is softmax(v), which sums to 1.

    >>> logsumexp([1000.0, 1000.0]) == 1000.0 + 0.6931471805599453
    True
    >>> logsumexp([1e16, 1e16, 1e16])   # 1e16 + ln 3, correctly rounded
    1.0000000000000002e+16
    """
    top, rest = _shifted(values)
    return top + log1p(rest)


@_task("multiclass")
def softmax_cross_entropy(output: Any, target: int) -> Any:
    """−log softmax(z)_y = logsumexp(z) − z_y, for class index y.

    Gradient softmax(z) − onehot(y): finite at any logits.
    """
    z = _vector(output)
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(z):
        raise ConfigError(f"softmax_cross_entropy: target must be a class index in "
                          f"[0, {len(z)}), got {target!r}")
    if len(z) < 2:
        raise ShapeError("softmax_cross_entropy needs at least two logits")
    top, rest = _shifted(z)
    return (top - z[target]) + log1p(rest)  # logsumexp(z) − z_y without cancelling z_k − z_y


cross_entropy = softmax_cross_entropy


@_task("binary", lambda y: _label(y, "hinge"))
def hinge(output: Any, target: Any) -> Any:
    """Binary SVM hinge: max(0, 1 − y·s) for y ∈ {−1, +1} (0 counts as −1).

    micrograd's demo loss: ``relu(1 + -y*score)``.
    """
    s = _scalar(output, "hinge")
    y = _label(target, "hinge")
    return relu(1.0 - y * s)  # y·s is exact for y = ±1; the label is data, not a branch


@_task("multiclass")
def multiclass_hinge(output: Any, target: int, margin: float = 1.0) -> Any:
    """The multiclass SVM (Weston–Watkins) loss: Σ_{j≠y} max(0, s_j − s_y + Δ)."""
    s = _vector(output)
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(s):
        raise ConfigError(f"multiclass_hinge: target must be a class index in "
                          f"[0, {len(s)}), got {target!r}")
    total = 0.0
    for j, sj in enumerate(s):
        if j != target:
            total = total + relu(sj - s[target] + margin)
    return total


def l2_penalty(weights: Iterable[Any], lam: float) -> Any:
    """½λ‖W‖² = ½λ Σ w²; pass ``model.weights()`` (biases are not regularized).

    Its gradient λw is what SGD's ``weight_decay=λ`` adds.

    >>> l2_penalty([3.0, 4.0], 0.1)
    1.25
    """
    total = 0.0
    for w in weights:
        total = total + w * w
    return (0.5 * lam) * total


#: Losses by name.
BY_NAME: dict[str, Callable[..., Any]] = {
    "mse": mse, "half_l2": half_l2, "bce_with_logits": bce_with_logits,
    "softmax_cross_entropy": softmax_cross_entropy, "cross_entropy": softmax_cross_entropy,
    "hinge": hinge, "multiclass_hinge": multiclass_hinge,
}


def get(loss: Any) -> Callable[..., Any]:
    """A loss from its name or itself."""
    return lookup("loss", loss, BY_NAME, "(output, target) -> scalar")
