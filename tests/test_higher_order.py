"""Higher-order derivatives: gradients built as graphs (``backward(create_graph=True)``,
``grad``, ``derivative``), held against closed forms and central differences."""

from __future__ import annotations

import math

from hypothesis import given, strategies as st

from autograd import Value, derivative, grad
from autograd.check import gradgradcheck
from autograd.forward import forward_derivative


def test_second_derivative_of_x_exp_x_at_1_is_3e():
    x = Value(1.0)
    y = x * x.exp()
    y.backward(create_graph=True)
    g = x.grad
    x.zero_grad()  # keep only the second pass in x.grad
    g.backward()
    assert x.grad == 8.154845485377136 == 3 * math.e
    assert derivative(derivative(lambda v: v * v.exp()))(1.0) == 8.154845485377136


def test_second_derivative_of_softplus_log_1_plus_exp_at_0_is_a_quarter():
    f = lambda v: (1 + v.exp()).log()  # noqa: E731
    assert derivative(derivative(f))(0.0) == 0.25
    assert derivative(derivative(lambda v: v.softplus()))(0.0) == 0.25


def _worked(a, b):
    return (a + b) * (b + 1)


def test_hessian_of_the_worked_example_via_backward_create_graph():
    rows = []
    for i in range(2):
        a, b = Value(2.0), Value(1.0)
        e = _worked(a, b)
        e.backward(create_graph=True)
        g = (a.grad, b.grad)[i]
        a.zero_grad(), b.zero_grad()
        if isinstance(g, Value):
            g.backward()
        rows.append([a.grad, b.grad])
    assert rows == [[0.0, 1.0], [1.0, 2.0]]


def test_hessian_of_the_worked_example_via_grad():
    a, b = Value(2.0), Value(1.0)
    ga, gb = grad(_worked(a, b), [a, b], create_graph=True)
    assert (ga.data, gb.data) == (2.0, 5.0)
    assert [list(grad(ga, [a, b])), list(grad(gb, [a, b]))] == [[0.0, 1.0], [1.0, 2.0]]
    assert (a.grad, b.grad) == (0.0, 0.0)  # grad leaves .grad untouched


def test_hessian_of_the_worked_example_via_derivative():
    d_db = derivative(lambda b: _worked(Value(2.0), b))
    assert d_db(1.0) == 5.0
    assert derivative(d_db)(1.0) == 2.0


def test_hessian_vector_product():
    """H·v for f = x²y + y³ at (1, 2): H = [[2y, 2x], [2x, 6y]] = [[4, 2], [2, 12]]."""
    x, y = Value(1.0), Value(2.0)
    gx, gy = grad(x * x * y + y ** 3, [x, y], create_graph=True)
    v = (1.0, -1.0)
    hv = grad(gx * v[0] + gy * v[1], [x, y])
    assert hv == (4.0 - 2.0, 2.0 - 12.0)


@given(st.floats(-3, 3))
def test_third_derivative_of_tanh_matches_its_closed_form(x):
    """tanh''' = −2(1 − t²)(1 − 3t²), t = tanh x, computed by three nested reverse passes."""
    d3 = derivative(derivative(derivative(lambda v: v.tanh())))(x)
    t = math.tanh(x)
    assert math.isclose(d3, -2 * (1 - t * t) * (1 - 3 * t * t), rel_tol=1e-9, abs_tol=1e-12)


@given(st.floats(-2, 2), st.floats(0.5, 2))
def test_gradgradcheck_passes_on_a_smooth_composite(x, y):
    reports = gradgradcheck(lambda a, b: (a * b).tanh() + (a / b).exp() + b.log() * a, [x, y])
    assert all(r.ok for r in reports)


@given(st.floats(-5, 5))
def test_reverse_over_reverse_equals_forward_over_reverse(x):
    """The second derivative from two reverse passes equals forward mode applied to the
    derivative's closed form σ(x)(1 − σ(x)) ... computed independently by Dual numbers."""
    d2 = derivative(derivative(lambda v: v.sigmoid()))(x)
    fwd = forward_derivative(lambda v: v.sigmoid() * (1 - v.sigmoid()), x)
    assert math.isclose(d2, fwd, rel_tol=1e-10, abs_tol=1e-15)


# --- nesting: each derivative has its own variable (no perturbation confusion) ---------------

def test_nested_derivative_closing_over_outer_variable_is_not_confused():
    from autograd.graph import derivative
    assert derivative(lambda x: derivative(lambda y: x * y)(x))(5.0) == 1.0


def test_inner_derivative_at_a_float_inside_an_outer_one_records_its_graph():
    from autograd.graph import derivative
    assert derivative(lambda x: x * derivative(lambda t: x * t)(1.0))(3.0) == 6.0


def test_mixed_partial_by_nesting():
    from autograd.graph import derivative
    # ∂/∂x ∂/∂y x·y² = 2y = 6 at (2, 3)
    assert derivative(lambda x: derivative(lambda y: x * y * y)(3.0))(2.0) == 6.0


def test_third_and_fourth_derivatives_by_nesting_match_closed_forms():
    import math
    from autograd.graph import derivative as d
    x = 0.7
    t = math.tanh(x)
    cases = [(d(d(d(lambda v: v.exp())))(x), math.exp(x)),
             (d(d(d(d(lambda v: v.exp()))))(x), math.exp(x)),
             (d(d(d(lambda v: v.log())))(x), 2 / x ** 3),
             (d(d(d(d(lambda v: v.log()))))(x), -6 / x ** 4),
             (d(d(d(lambda v: v.tanh())))(x), (1 - t * t) * (6 * t * t - 2))]
    for got, want in cases:
        assert math.isclose(got, want, rel_tol=1e-13), (got, want)


def test_grad_of_an_input_outside_the_graph_is_zero_not_its_old_grad():
    from autograd.graph import grad
    x, z = Value(1.0), Value(2.0)
    z.grad = 7.0
    assert grad(x * x, [x, z]) == (2.0, 0.0)
    assert z.grad == 7.0


def test_hvp_is_hessian_times_vector():
    from autograd.graph import hvp
    # f = a²b: H = [[2b, 2a], [2a, 0]] at (2, 3)
    assert hvp(lambda a, b: a * a * b, [2.0, 3.0], [1.0, 2.0]) == [6.0 + 8.0, 4.0]


# --- tanh'' and sigmoid'' keep relative accuracy near 0 and in the tails ----------------------
# True values from mpmath at 50 digits: tanh'' = −2·tanh·sech², σ'' = −σ(1−σ)·tanh(x/2).

def _mp_tanh2(x):
    import mpmath
    with mpmath.workdps(50):
        x = mpmath.mpf(x)
        return float(-2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2)


def _mp_sigmoid2(x):
    import mpmath
    with mpmath.workdps(50):
        x = mpmath.mpf(x)
        return float(-mpmath.tanh(x / 2) / (1 + mpmath.exp(-x)) / (1 + mpmath.exp(x)))


def _ulps(got, want):
    return 0.0 if got == want else abs(got - want) / math.ulp(want)


def test_tanh_second_derivative_near_zero_is_relative_accurate():
    d2 = derivative(derivative(lambda v: v.tanh()))
    assert d2(1e-10) == -2e-10
    assert d2(1e-300) == -2e-300


POINTS = (1e-300, -1e-300, 1e-10, -1e-10, 0.3, 1.5, -3.0, 20.0, -20.0, 40.0, -40.0, 300.0)


def test_tanh_and_sigmoid_second_derivatives_match_mpmath_in_ulps():
    t2 = derivative(derivative(lambda v: v.tanh()))
    s2 = derivative(derivative(lambda v: v.sigmoid()))
    for x in POINTS:
        assert _ulps(t2(x), _mp_tanh2(x)) <= 4, x
        assert _ulps(s2(x), _mp_sigmoid2(x)) <= 4, x


def test_tanh_third_derivative_near_zero_is_minus_two():
    # tanh''' = −2 sech⁴ + 4 tanh² sech² → −2 at 0
    assert derivative(derivative(derivative(lambda v: v.tanh())))(1e-10) == -2.0


def test_fourth_derivative_of_tanh_by_nesting_matches_mpmath():
    import mpmath
    d4 = derivative(derivative(derivative(derivative(lambda v: v.tanh()))))
    for x in (1e-10, 0.7, -3.0, 25.0):
        with mpmath.workdps(50):
            want = mpmath.diff(mpmath.tanh, mpmath.mpf(x), 4)
        assert _ulps(d4(x), float(want)) <= 8, x
