"""Losses for one example, and the L2 penalty ½λ‖W‖².

Each loss takes the model's output for one example (a Value, a number, or a list of them — a
one-element list counts as its element) and the target, and returns a scalar.  They are written
with the engine's derived ops, so they work on floats, Values and Duals, and they stay finite —
values and gradients — at logits of ±1000:

- binary cross-entropy from a logit z: y·softplus(−z) + (1−y)·softplus(z)
  (= −y·log σ(z) − (1−y)·log(1−σ(z))), accurate on both sides of 0 (``bce(40, 1) = e⁻⁴⁰``);
- softmax cross-entropy: log Σᵢ e^(zᵢ − z_y) = softplus(logsumexp(zᵢ − z_y, i ≠ y)), with the
  n-ary max-shifted :func:`logsumexp`: no cancellation against z_y, so three equal logits of
  1e16 give ln 3;
- mse and half_l2 square the differences scaled by a power of two when they are huge or
  tiny (as ``math.hypot`` does), so they overflow only where the result does.

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
from autograd.functional import exp, log, log1p, maximum, relu, softplus

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


_SCALE_ABOVE, _SCALE_BELOW = 2.0 ** 500, 2.0 ** -500


def _data(x: Any) -> float:
    return float(getattr(x, "data", x))


def _sum_of_squares(name: str, output: Any, target: Any, factor: Any) -> Any:
    """factor · Σ (ŷᵢ − yᵢ)², with factor 1/k (mse) or ½ (half_l2).

    When the largest |dᵢ| = |ŷᵢ − yᵢ| is above 2⁵⁰⁰ or below 2⁻⁵⁰⁰ it is computed as
    s · Σ (dᵢ/s)·(factor·dᵢ) for a power of two s near it (as ``math.hypot`` scales), so the
    value and the gradient overflow or underflow only where they truly do."""
    outs, targets = _vector(output), _vector(target)
    if len(outs) != len(targets):
        raise ShapeError(f"{name}: {len(outs)} outputs but {len(targets)} targets")
    diffs = [o - t for o, t in zip(outs, targets)]
    big = max(abs(_data(d)) for d in diffs) if diffs else 0.0
    total = 0.0
    if math.isfinite(big) and (big > _SCALE_ABOVE or 0.0 < big < _SCALE_BELOW):
        # ≤ big, so never inf; ≥ 2⁻¹⁰²² so that 1/scale is finite too
        scale = math.ldexp(1.0, max(math.frexp(big)[1] - 1, -1022))
        for d in diffs:
            total = total + (d * (1.0 / scale)) * (d * factor)
        return total * scale
    for d in diffs:
        total = total + d * d
    return total * factor


@_task("regression", _same)
def mse(output: Any, target: Any) -> Any:
    """Mean squared error over the outputs: (1/k) Σ (ŷᵢ − yᵢ)².

    >>> mse([1.0, 3.0], [0.0, 1.0])
    2.5
    """
    return _sum_of_squares("mse", output, target, 1.0 / len(_vector(output)))


@_task("regression", _same)
def half_l2(output: Any, target: Any) -> Any:
    """½ Σ (ŷᵢ − yᵢ)², the seeds' L = ½(ŷ − y)² (gradient ŷ − y).

    >>> half_l2(3.0, 1.0)
    2.0
    """
    return _sum_of_squares("half_l2", output, target, 0.5)


@_task("binary", lambda y: 1.0 if _label(y, "bce_with_logits") > 0 else 0.0)
def bce_with_logits(output: Any, target: Any) -> Any:
    """Binary cross-entropy of a logit z against y ∈ {0, 1}: y·softplus(−z) + (1−y)·softplus(z).

    Each term is exact to a few ulps (no cancellation on either side of 0); gradient
    σ(z) − y, finite everywhere.  Labels −1/+1 are accepted too (−1 means 0).

    >>> bce_with_logits(40.0, 1), bce_with_logits(-40.0, 0)
    (4.248354255291589e-18, 4.248354255291589e-18)
    """
    z = _scalar(output, "bce_with_logits")
    y = _label(target, "bce_with_logits")
    if not isinstance(y, Value):
        y = 1.0 if y > 0 else 0.0
    # the label is data, not a branch: one graph for every label
    return y * softplus(-z) + (1.0 - y) * softplus(z)


binary_cross_entropy_with_logits = bce_with_logits


def logsumexp(values: Sequence[Any]) -> Any:
    """log Σ e^(vᵢ) = m + log Σ e^(vᵢ − m), m = max vᵢ: one composite, never exponentiating
    a positive number.  m is a chain of ``max`` nodes (no branch); the expression does not
    depend on m, so the gradient it receives is 1 − Σ softmax ≈ 0 and the others get
    softmax(v).  One value is returned as it is.

    >>> logsumexp([1000.0, 1000.0]) == 1000.0 + 0.6931471805599453
    True
    >>> logsumexp([0.0, 0.0, 0.0]) == math.log(3)
    True
    """
    values = list(values)
    if not values:
        raise ShapeError("logsumexp of no values")
    if len(values) == 1:
        return values[0]
    m = values[0]
    for v in values[1:]:
        m = maximum(m, v)
    total = 0.0
    for v in values:
        total = total + exp(v - m)
    return m + log(total)


@_task("multiclass")
def softmax_cross_entropy(output: Any, target: int) -> Any:
    """−log softmax(z)_y = (z_k − z_y) + log1p(Σ_{i≠k} e^(zᵢ − z_k)), z_k the largest logit.

    No exponent is positive, the term e⁰ = 1 of z_k is never rounded into the sum (so the
    log1p keeps a tiny loss's digits), and every softmax entry e^(zᵢ − z_k)/(1 + rest) is
    computed from differences to z_k, which are exact where the logits are close — so the
    gradient softmax(z) − onehot(y) is accurate to a few ulps at any finite logits, and its
    entries sum to 0 up to rounding.  The identity holds for any k: k is picked on the data
    for stability only, so a replayed step whose largest logit moved is still right.

    >>> softmax_cross_entropy([1e16, 1e16, 1e16], 1)   # ln 3 = 1.09861228866810969…
    1.0986122886681096
    """
    z = _vector(output)
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(z):
        raise ConfigError(f"softmax_cross_entropy: target must be a class index in "
                          f"[0, {len(z)}), got {target!r}")
    if len(z) < 2:
        raise ShapeError("softmax_cross_entropy needs at least two logits")
    k = 0
    for i, zi in enumerate(z):
        if _data(zi) > _data(z[k]):
            k = i
    rest: Any = 0.0
    for i, zi in enumerate(z):
        if i != k:
            rest = rest + exp(zi - z[k])
    return (z[k] - z[target]) + log1p(rest)


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
