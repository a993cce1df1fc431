"""Named cases where a result used to be wrong or lose digits, held to their true values
(mpmath at 50 digits where a closed form is not exact in floats)."""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, derivative, grad, hvp
from nn.losses import bce_with_logits, half_l2, logsumexp, mse, softmax_cross_entropy
from nn.optim import clip_grad_norm



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


# --- nesting: each derivative has its own variable -------------------------------------

def test_an_inner_derivative_is_taken_with_respect_to_its_own_variable():
    # d/dx [d/dy x·y](x) = d/dx x = 1 (perturbation confusion would give 2)
    assert derivative(lambda x: derivative(lambda y: x * y)(x))(5.0) == 1.0


def test_an_inner_derivative_called_with_a_float_still_records_its_graph():
    # d/dx [x · d/dt (x·t)] = d/dx x² = 2x
    assert derivative(lambda x: x * derivative(lambda t: x * t)(1.0))(3.0) == 6.0


def test_mixed_partials_by_nesting():
    # ∂/∂x ∂/∂y x·y² at (2, 3) = 2y = 6, in either order
    assert derivative(lambda x: derivative(lambda y: x * y * y)(3.0))(2.0) == 6.0
    assert derivative(lambda y: derivative(lambda x: x * y * y)(2.0))(3.0) == 6.0


def nth(f, n):
    for _ in range(n):
        f = derivative(f)
    return f


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_higher_derivatives_of_exp_and_log_by_nesting(n):
    x = 0.7
    assert ulps(nth(lambda v: v.exp(), n)(x), math.exp(x)) <= 2
    true_log = (-1) ** (n - 1) * math.factorial(n - 1) / x ** n
    assert ulps(nth(lambda v: v.log(), n)(x), true_log) <= 8


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_higher_derivatives_of_tanh_by_nesting_against_mpmath(n):
    for x in (0.3, -1.2, 2.5):
        true = float(mpmath.diff(mpmath.tanh, mpmath.mpf(x), n))
        got = nth(lambda v: v.tanh(), n)(x)
        assert abs(got - true) <= 1e-13 * max(1.0, abs(true)), (n, x, got, true)


def test_three_levels_of_closures_do_not_confuse_their_variables():
    # f(x) = d/dy [ d/dz (x·y·z) ] = x, so f'(x) = 1
    f = lambda x: derivative(lambda y: derivative(lambda z: x * y * z)(y))(x)  # noqa: E731
    assert derivative(f)(4.0) == 1.0


def test_hessian_vector_product_equals_the_hessian_times_the_vector():
    f = lambda x, y: x * x * y + y.exp()  # noqa: E731  H = [[2y, 2x], [2x, eʸ]]
    h = (2 * 3.0, 2 * 2.0, math.exp(3.0))
    assert list(hvp(f, [2.0, 3.0], [1.0, 2.0])) == pytest.approx(
        [h[0] + 2 * h[1], h[1] + 2 * h[2]], rel=1e-15)


def test_grad_of_an_input_outside_the_graph_is_zero():
    x, z = Value(2.0), Value(1.0)
    z.grad = 7.0
    assert grad(x * 3, [x, z]) == (3.0, 0.0)
    assert z.grad == 7.0  # left as it was


# --- losses at any logit ------------------------------------------------------------------

def test_softmax_cross_entropy_at_three_equal_huge_logits_is_ln3_with_exact_gradients():
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


def test_bce_with_logits_keeps_its_digits_on_both_sides_of_zero():
    assert ulps(bce_with_logits(40.0, 1), math.exp(-40.0)) <= 2  # was 0.0
    assert ulps(bce_with_logits(-40.0, 0), math.exp(-40.0)) <= 2
    assert bce_with_logits(40.0, 0) == 40.0


@settings(max_examples=150, deadline=None)
@given(logits, st.sampled_from([0, 1]))
def test_bce_with_logits_against_mpmath(z, y):
    zv = Value(z)
    loss = bce_with_logits(zv, y)
    loss.backward()
    zm = mpmath.mpf(z)
    true = mpmath.log1p(mpmath.exp(-zm)) if y == 1 else mpmath.log1p(mpmath.exp(zm))
    # σ(z) − y written without cancelling: −σ(−z) for y = 1
    true_grad = -1 / (1 + mpmath.exp(zm)) if y == 1 else 1 / (1 + mpmath.exp(-zm))
    assert ulps(loss.data, float(true)) <= 4 or abs(loss.data - float(true)) <= 5e-324
    assert abs(zv.grad - float(true_grad)) <= 8 * math.ulp(max(abs(float(true_grad)), 1e-300))


def test_mse_and_half_l2_do_not_overflow_where_the_result_is_finite():
    v = Value(1.4e154)
    loss = mse([v, 0.0], [0.0, 0.0])  # (1.4e154)² / 2 = 9.8e307 < DBL_MAX
    loss.backward()
    assert ulps(loss.data, 9.8e307) <= 2 and ulps(v.grad, 1.4e154) <= 2
    assert mse([1.0, 3.0], [0.0, 1.0]) == 2.5  # ordinary sizes: the plain sum, exact
    assert math.isinf(half_l2([1e200], [0.0]))  # the true value overflows


def test_clip_grad_norm_of_huge_gradients_is_the_true_norm():
    ps = [Value(0.0) for _ in range(3)]
    for p, g in zip(ps, (1e300, 1e300, 1.0)):
        p.grad = g
    norm = clip_grad_norm(ps, 1.0)
    assert ulps(norm, float(mpmath.sqrt(2 * mpmath.mpf(1e300) ** 2 + 1))) <= 1
    assert ps[0].grad == pytest.approx(math.sqrt(0.5), rel=1e-15)


def test_abs_of_negative_zero_is_positive_zero():
    assert math.copysign(1.0, abs(Value(-0.0)).data) == 1.0
    assert math.copysign(1.0, Value(-0.0).relu().data) == 1.0
