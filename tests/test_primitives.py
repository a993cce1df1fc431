"""Every row of the primitive table, held three ways: reverse mode = forward mode = central
differences, over the op's whole domain including its extremes (0, ±1e-300, ±700, ±1e300
where defined) and ties; second derivatives against central differences of the first.

Tolerances are explained in ``proof_helpers``.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, strategies as st

from autograd import Value, ops
from autograd.forward import TANGENT_RULES, Dual
from autograd.testing import DOMAINS, arguments
from proof_helpers import (PER_OP, SECOND_ORDER, assert_hessian_entry,
                           assert_reverse_forward_central, differentiable_args,
                           distance_to_kink, hessian_row, primitive_fn, resolvable, reverse,
                           step)

NAMES = [p.name for p in ops.PRIMITIVES]


def test_the_five_primitives_of_the_product_come_first_and_extras_give_a_reason():
    assert NAMES[:5] == ["add", "mul", "max", "exp", "log"]
    for p in ops.PRIMITIVES[5:]:
        assert p.reason, f"{p.name} is an extra primitive and must say why"


def test_every_primitive_has_a_tangent_rule_and_one_partial_per_input():
    for p in ops.PRIMITIVES:
        assert p.name in TANGENT_RULES
        args = (0.5, 2.0)[:p.arity]
        assert len(p.local(*args, p.forward(*args))) == p.arity
        assert ops.BY_NAME[p.name] is p


@pytest.mark.parametrize("name", NAMES)
@PER_OP
@given(data=st.data())
def test_reverse_equals_forward_equals_central_differences(name, data):
    """Over the domain (value and derivative finite).  Central differences are compared
    only where a step resolves the op (``proof_helpers.resolvable``: not for exp, tanh,
    logaddexp ... beyond |x| ≈ 1e13, where 16 ulp of x exceed their scale of 1), and where
    the step does not straddle max's kink (|a − b| ≥ 4h) or at an exact tie, where
    the ½/½ convention is exactly the symmetric difference (h − 0)/2h."""
    op = ops.BY_NAME[name]
    args = data.draw(arguments(name), label="args")
    var = differentiable_args(name, op.arity)
    fn = primitive_fn(op)
    out, grads = reverse(fn, args, var)
    assume(all(g is None or math.isfinite(g) for g in grads))
    assert out.data == op.forward(*args) or (out.data != out.data)
    for i, is_var in enumerate(var):
        if is_var:
            assert_reverse_forward_central(name, fn, args, var, i, out, grads[i])


@pytest.mark.parametrize("name", NAMES)
@SECOND_ORDER
@given(data=st.data())
def test_second_derivatives_equal_central_differences_of_the_first(name, data):
    """Row i of the Hessian (reverse over reverse) against central differences of the
    reverse-mode gradient; away from max's kink, where the second derivative is a delta, and
    where the step resolves the op (see ``proof_helpers.UNIT_SCALE``)."""
    op = ops.BY_NAME[name]
    args = data.draw(arguments(name), label="args")
    var = differentiable_args(name, op.arity)
    fn = primitive_fn(op)
    positions = [i for i, v in enumerate(var) if v]
    for i in positions:
        h = step(name, i, args[i])
        assume(resolvable(name, h))
        if name == "max":
            assume(distance_to_kink(name, args, ()) > 4.0 * h)
        row = hessian_row(fn, args, i, var)
        assume(all(math.isfinite(x) for x in row))
        for slot, j in enumerate(positions):
            hj = step(name, j, args[j])
            assume(resolvable(name, hj))
            assert_hessian_entry(name, fn, args, var, i, j, row[slot], hj)


@pytest.mark.parametrize("name", NAMES)
def test_extremes_of_the_domain_are_checked(name):
    """The strategies do reach the extremes the issue names (so the tests above see them)."""
    edges = DOMAINS[name].edges()
    assert 0.0 in edges or name in ("log",)
    assert any(math.fabs(x) >= 1e300 or x >= 709.0 for x in edges)
    assert any(0 < math.fabs(x) <= 1e-300 for x in edges)


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
@given(base=st.integers(-10**4, 10**4))
def test_integer_powers_are_exact_for_negative_bases(k, base):
    assume(abs(base ** k) <= 2 ** 53)  # 9783**4 is not representable; C pow may miss a tie
    exact = float(base ** k)  # an integer up to 2**53: representable, so must be hit exactly
    assert (Value(float(base)) ** k).data == exact
    assert (Dual(float(base)) ** k).value == exact


@pytest.mark.parametrize("k", [-1, -2, -3])
@given(base=st.integers(-10**4, 10**4).filter(bool))
def test_negative_integer_powers_are_within_an_ulp_for_negative_bases(k, base):
    """1/bᵏ is not representable in general; C pow is within 1 ulp of the rounded value."""
    rounded = 1.0 / float(base ** -k)  # base**-k is exact, so one rounding
    got = (Value(float(base)) ** k).data
    assert math.fabs(got - rounded) <= math.ulp(rounded)
    assert math.copysign(1.0, got) == math.copysign(1.0, rounded)


@pytest.mark.parametrize("k, at_zero, at_minus_zero", [
    (2, 0.0, 0.0), (3, 0.0, -0.0), (1, 0.0, -0.0), (0, 1.0, 1.0),
    (-1, math.inf, -math.inf), (-2, math.inf, math.inf),
    (0.5, 0.0, -0.0)])  # sqrt(−0) = −0, as math.sqrt
def test_powers_at_zero_follow_ieee(k, at_zero, at_minus_zero):
    for x, expected in ((0.0, at_zero), (-0.0, at_minus_zero)):
        y = Value(x) ** k
        assert y.data == expected and math.copysign(1, y.data) == math.copysign(1, expected)


def test_pow_derivative_at_zero_is_exact():
    for k, expected in ((2, 0.0), (3, 0.0), (1, 1.0), (0, 0.0), (4, 0.0)):
        x = Value(0.0)
        (x ** k).backward()
        assert x.grad == expected, k


def test_negative_base_to_a_fraction_is_nan_not_an_exception():
    assert math.isnan((Value(-2.0) ** 0.5).data)
    assert math.isnan((Value(-8.0) ** (1 / 3)).data)


def test_expm1_tangent_is_finite_up_to_where_exp_overflows():
    """e^709.5 = 1.35e308 is finite: forward mode must not call it inf (nor 0·inf = nan)."""
    assert Dual(709.5, 1.0).expm1().tangent == math.exp(709.5)
    assert Dual(709.5, 0.0).expm1().tangent == 0.0
    x = Value(709.5)
    x.expm1().backward()
    assert x.grad == math.exp(709.5)


def test_a_primitive_of_your_own_makes_one_node_and_is_differentiated_by_its_rule():
    # The gradient_checking demo defines softsign this way; apply must accept any row.
    from autograd.functional import apply
    softsign = ops.Primitive("softsign", "softsign", 1, lambda x: x / (1.0 + abs(x)),
                             lambda x, out: (1.0 / (1.0 + abs(x)) ** 2,))
    hypot = ops.Primitive("hypot", "hypot", 2, math.hypot,
                          lambda a, b, out: (a / out, b / out))
    x, y = Value(3.0), Value(4.0)
    h = apply(hypot, x, y)
    s = apply(softsign, h)
    assert (h.op, h.parents, s.op, s.parents) == (hypot, (x, y), softsign, (h,))
    s.backward()
    assert s.data == 5.0 / 6.0
    assert (x.grad, y.grad) == (1.0 / 36.0 * (3.0 / 5.0), 1.0 / 36.0 * (4.0 / 5.0))
    assert apply(softsign, 3.0) == 0.75  # on floats: the forward function


@pytest.mark.parametrize("name, x, exact", [
    # true derivatives, from closed forms evaluated far from any cancellation
    ("tanh", 30.0, 1.0 / math.cosh(30.0) ** 2),            # (1 − out)(1 + out) would give 0
    ("tanh", -300.0, 1.0 / math.cosh(300.0) ** 2),
    ("sigmoid", 40.0, math.exp(-40.0) / (1.0 + math.exp(-40.0)) ** 2),  # out(1 − out): 0
    ("expm1", -40.0, math.exp(-40.0)),                     # out + 1 would give 0
])
def test_derivatives_keep_their_digits_where_the_output_has_rounded_to_a_constant(
        name, x, exact):
    """Rules take x, not only the rounded output, so a derivative far below ε is still
    relative-accurate (first order and, through the graph, second order)."""
    v = Value(x)
    out = getattr(v, name)()
    out.backward()
    assert math.isclose(v.grad, exact, rel_tol=1e-13)
    assert math.isclose(getattr(Dual(x, 1.0), name)().tangent, exact, rel_tol=1e-13)


# --- Value ** Value: one pow node with C's pow forward --------------------------------------

def test_value_pow_value_is_exact_where_c_pow_is():
    from autograd.graph import grad
    a, b = Value(2.0), Value(3.0)
    y = a ** b
    assert y.data == 8.0 and y.op.name == "pow"
    assert grad(y, [a, b]) == (12.0, 8.0 * math.log(2.0))
    assert (Value(-2.0) ** Value(2.0)).data == 4.0
    assert (Value(-2.0) ** Value(3.0)).data == -8.0


def test_value_pow_value_partials_at_a_negative_base_follow_torch():
    from autograd.graph import grad
    x, y = Value(-2.0), Value(2.0)
    dx, dy = grad(x ** y, [x, y])
    assert dx == -4.0 and math.isnan(dy)  # ∂/∂y = xʸ ln x: ln(−2) is nan, as in torch


def test_zero_to_the_zero_is_one_with_zero_partials_as_torch():
    from autograd.graph import grad
    x, y = Value(0.0), Value(0.0)
    out = x ** y
    assert out.data == 1.0
    assert grad(out, [x, y]) == (0.0, 0.0)  # torch: ∂/∂x = 0 at y = 0, ∂/∂y = 0 at x = 0, y ≥ 0
    x, y = Value(0.0), Value(2.0)
    assert grad(x ** y, [x, y]) == (0.0, 0.0)


def test_value_pow_value_hessian_is_finite_where_the_truth_is():
    from autograd.graph import grad
    x, y = Value(1e-300), Value(20.0)
    gx, gy = grad(x ** y, [x, y], create_graph=True)
    assert [grad(g, [x, y]) for g in (gx, gy)] == [(0.0, 0.0), (0.0, 0.0)]


def test_value_pow_value_second_partials_match_closed_forms():
    from autograd.graph import grad
    x, y = Value(1.5), Value(2.5)
    gx, gy = grad(x ** y, [x, y], create_graph=True)
    lx, p = math.log(1.5), 1.5 ** 2.5
    hxx, hxy = grad(gx, [x, y])
    hyx, hyy = grad(gy, [x, y])
    assert math.isclose(hxx, 2.5 * 1.5 * 1.5 ** 0.5, rel_tol=1e-15)
    assert math.isclose(hxy, 1.5 ** 1.5 * (1 + 2.5 * lx), rel_tol=1e-15)
    assert math.isclose(hyx, hxy, rel_tol=1e-15)
    assert math.isclose(hyy, p * lx * lx, rel_tol=1e-15)


def test_forward_mode_differentiates_pow_in_both_arguments():
    from autograd.forward import jvp
    assert jvp(lambda a, b: a ** b, (2.0, 3.0), (1.0, 0.0)) == (8.0, 12.0)
    assert jvp(lambda a, b: a ** b, (2.0, 3.0), (0.0, 1.0)) == (8.0, 8.0 * math.log(2.0))


def test_cli_a_pow_b_is_exact(capsys):
    from autograd.cli import main
    main(["a**b", "a=2", "b=3"])
    out = capsys.readouterr().out
    assert "= 8" in out and "7.99" not in out and "∂f/∂a = 12" in out
