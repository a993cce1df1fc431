"""Nesting three deep, and the log-sum-exp losses held to mpmath with absolute bounds that
do not grow with the logits (tests/test_mpmath_oracle.py and tests/test_higher_order.py hold
the rest of the numerics issue)."""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, derivative
from nn.losses import logsumexp, softmax_cross_entropy



@pytest.fixture(autouse=True)
def fifty_digits():
    """Every reference value here is computed at 50 digits, whatever other tests set."""
    with mpmath.workdps(50):
        yield


def ulps(got: float, true: float) -> float:
    """Distance in units of the last place of the true value."""
    if got == true:
        return 0.0
    return abs(got - true) / math.ulp(true)


def test_three_levels_of_closures_do_not_confuse_their_variables():
    # f(x) = d/dy [ d/dz (x·y·z) ] = x, so f'(x) = 1
    f = lambda x: derivative(lambda y: derivative(lambda z: x * y * z)(y))(x)  # noqa: E731
    assert derivative(f)(4.0) == 1.0


# --- losses at any logit ------------------------------------------------------------------

def test_softmax_cross_entropy_at_three_equal_huge_logits_is_ln3_with_gradients_to_an_ulp():
    for big in (1e16, 1000.0, 1e300):
        zs = [Value(big) for _ in range(3)]
        loss = softmax_cross_entropy(zs, 1)
        loss.backward()
        assert ulps(loss.data, math.log(3.0)) <= 1
        assert [z.grad for z in zs] == pytest.approx([1 / 3, -2 / 3, 1 / 3], rel=1e-15)


def true_ce(zs, y):
    # shifted by the largest logit so that 50 digits suffice at any magnitude
    zs = [mpmath.mpf(z) for z in zs]
    m = max(zs)
    log_sum = mpmath.log(sum(mpmath.exp(z - m) for z in zs))
    softmax = [mpmath.exp(z - m - log_sum) for z in zs]
    return (m - zs[y]) + log_sum, [p - (1 if i == y else 0) for i, p in enumerate(softmax)]


logits = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(logits, min_size=2, max_size=5), st.data())
def test_softmax_cross_entropy_against_mpmath_at_any_finite_logits(zs, data):
    y = data.draw(st.integers(0, len(zs) - 1))
    vs = [Value(z) for z in zs]
    loss = softmax_cross_entropy(vs, y)
    loss.backward()
    true, grads = true_ce(zs, y)
    scale = max(1.0, float(abs(true)))
    assert abs(loss.data - float(true)) <= 4 * math.ulp(scale)
    for v, g in zip(vs, grads):
        assert abs(v.grad - float(g)) <= 4e-16
    assert abs(sum(v.grad for v in vs)) <= 4e-16 * len(vs)


@settings(max_examples=150, deadline=None)
@given(st.lists(logits, min_size=1, max_size=5))
def test_logsumexp_against_mpmath(zs):
    m = max(mpmath.mpf(z) for z in zs)
    true = float(m + mpmath.log(sum(mpmath.exp(mpmath.mpf(z) - m) for z in zs)))
    assert ulps(logsumexp(zs), true) <= 2