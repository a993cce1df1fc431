"""Every derived op (``functional.DERIVED``): reverse = forward = central differences over its
domain including extremes, kinks and ties; second derivatives against central differences of
the first; values against ``math`` or a 50-digit ``decimal`` reference; and each fused op
against its composite reference in ``functional.REFERENCES``.

Tolerances are explained in ``proof_helpers``.
"""

from __future__ import annotations

import decimal
import math

import pytest
from hypothesis import assume, given, strategies as st

from autograd import Value, functional as F, ops
from autograd.forward import Dual
from autograd.testing import DOMAINS, arguments, domain_floats
from proof_helpers import (EPS, PER_OP, SECOND_ORDER, SUBNORMAL, assert_hessian_entry,
                           assert_reverse_forward_central, central, close, distance_to_kink,
                           hessian_row, resolvable, reverse, step)

NAMES = sorted(F.DERIVED)

D = decimal.Decimal
#: 400 digits: ln(1 + e^x) ≈ e^x down to e^-745 ≈ 5e-324 needs 324 digits past the 1.
HIGH = decimal.Context(prec=400)


def ulps(got: float, exact: decimal.Decimal) -> float:
    """Distance of ``got`` from the exact value, in units of the last place of the exact."""
    rounded = float(exact)
    if rounded == 0.0:
        return 0.0 if got == 0.0 else math.inf
    return float(abs(D(got) - exact) / D(math.ulp(rounded)))


def derived_arguments(name: str):
    """Arguments for a derived op; ``pow`` here has a *variable* exponent (one ``**`` node,
    C's pow), drawn for positive bases where xʸ stays within [1e-300, 1e300]."""
    if name == "pow":
        return st.tuples(st.floats(1e-3, 1e3), st.floats(-40, 40))
    return arguments(name)


def fn_of(name: str):
    return F.DERIVED[name][0]


@pytest.mark.parametrize("name", NAMES)
@PER_OP
@given(data=st.data())
def test_reverse_equals_forward_equals_central_differences(name, data):
    """Central differences are skipped within 4 steps of a kink (not at it: there the ½/½
    convention equals the symmetric difference exactly) and where the step cannot resolve
    the op (|x| ≳ 1e13 for unit-scale ops, see ``proof_helpers``)."""
    fn, arity = F.DERIVED[name]
    args = data.draw(derived_arguments(name), label="args")
    var = (True,) * arity
    out, grads = reverse(fn, args, var)
    assume(math.isfinite(out.data) and all(math.isfinite(g) for g in grads))
    assert out.data == fn(*args)  # pow too: one node, the same C pow on floats and Values
    abs_error = ops.REGISTRY[name].abs_error  # swish: terms of opposite signs (its record)
    atol = 2 * abs_error * EPS * max(1.0, math.fabs(out.data), *(math.fabs(a) for a in args)) \
        if abs_error else SUBNORMAL
    for i in range(arity):
        assert_reverse_forward_central(name, fn, args, var, i, out, grads[i], atol,
                                       DOMAINS.get(name, DOMAINS["add"]).kinks)


@pytest.mark.parametrize("name", NAMES)
@SECOND_ORDER
@given(data=st.data())
def test_second_derivatives_equal_central_differences_of_the_first(name, data):
    """Away from kinks (8 steps: the difference of the first derivative straddles them).
    Unit-scale ops are checked on |x| < 1e12, where a step can resolve them: larger draws are
    folded into that range by ``math.remainder(x, 1000)``."""
    fn, arity = F.DERIVED[name]
    args = data.draw(derived_arguments(name), label="args")
    if not resolvable(name, max(step(name, i, x) or 0.0 for i, x in enumerate(args))):
        args = tuple(math.remainder(x, 1000.0) for x in args)
    var = (True,) * arity
    kinks = DOMAINS.get(name, DOMAINS["add"]).kinks
    for i in range(arity):
        row = hessian_row(fn, args, i, var)
        assume(all(math.isfinite(x) for x in row))
        for j in range(arity):
            h = step(name, j, args[j])
            assume(resolvable(name, h))
            assume(distance_to_kink(name, args, kinks) > 8.0 * h)
            assert_hessian_entry(name, fn, args, var, i, j, row[j], h)


# --- values against math / high precision ---------------------------------------------------

@given(domain_floats("tanh"))
def test_tanh_equals_math_tanh(x):
    assert F.tanh(x) == math.tanh(x) == Value(x).tanh().data == Dual(x).tanh().value


def _sigmoid_exact(x: float) -> decimal.Decimal:
    return HIGH.divide(1, HIGH.add(1, HIGH.exp(-D(x))))


@given(st.floats(-745, 745))
def test_sigmoid_within_two_ulp_of_high_precision(x):
    assert ulps(F.sigmoid(x), _sigmoid_exact(x)) <= 2.0
    assert Value(x).sigmoid().data == F.sigmoid(x)


def _softplus_exact(x: float) -> decimal.Decimal:
    return HIGH.ln(HIGH.add(1, HIGH.exp(D(x))))


@given(st.floats(-745, 745))
def test_softplus_within_two_ulp_of_high_precision(x):
    assert ulps(F.softplus(x), _softplus_exact(x)) <= 2.0


def test_softplus_of_minus_40_keeps_its_tiny_value():
    """ln(1 + e⁻⁴⁰) ≈ e⁻⁴⁰ = 4.248e-18: a composite log(1 + eˣ) would round it to 0."""
    assert F.softplus(-40.0) == pytest.approx(4.248354255291589e-18, rel=1e-15)
    assert Value(-40.0).softplus().data == F.softplus(-40.0)
    assert F.softplus(-800.0) == 0.0 and F.softplus(800.0) == 800.0


@given(st.floats(-700, 700), st.floats(-700, 700))
def test_logaddexp_within_four_ulp_of_high_precision(a, b):
    """Four ulp, plus what the one unavoidable rounding of d = a − b costs: ε|d|/2 in d moves
    the result by σ(−|d|)·ε|d|/2 (16 ulp at logaddexp(1e-12, −16), as numpy's)."""
    exact = HIGH.ln(HIGH.add(HIGH.exp(D(a)), HIGH.exp(D(b))))
    d = math.fabs(a - b)
    rounding_of_d = F.sigmoid(-d) * d * EPS / 2
    got = F.logaddexp(a, b)
    assert float(abs(D(got) - exact)) <= 4 * math.ulp(float(exact)) + 2 * rounding_of_d


@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300).filter(bool))
def test_division_is_exactly_float_division(a, b):
    assert (Value(a) / Value(b)).data == a / b
    assert (Value(a) / b).data == a / b and (a / Value(b)).data == a / b


@given(st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_sub_neg_abs_min_are_exact(a, b):
    assume(math.isfinite(a - b))
    assert (Value(a) - Value(b)).data == a - b
    assert (-Value(a)).data == -a
    assert abs(Value(a)).data == math.fabs(a)
    assert Value(a).minimum(b).data == min(a, b)


@given(domain_floats("sqrt"))
def test_sqrt_equals_math_sqrt(x):
    assert Value(x).sqrt().data == math.sqrt(x) == F.sqrt(x)


@given(st.floats(-745, 1e300))
def test_relu_leaky_relu_elu_hard_ops_match_their_formulas(x):
    assert F.relu(x) == max(x, 0.0)
    assert F.leaky_relu(x, 0.1) == (x if x > 0 else 0.1 * x)
    assert F.elu(x) == (x if x > 0 else math.expm1(x))
    assert F.hard_sigmoid(x) == min(max(0.25 * x + 0.5, 0.0), 1.0)
    assert F.hard_tanh(x) == min(max(x, -1.0), 1.0)


@given(st.floats(-700, 700))
def test_swish_within_four_ulp_of_high_precision(x):
    """x·σ(x): σ's up to 2 ulp plus the product's half ulp, rounded twice.  Below −708 σ(x)
    is subnormal (absolute error 2⁻¹⁰⁷⁵, relative error unbounded), hence the domain."""
    assume(x != 0.0)
    assert ulps(F.swish(x), D(x) * _sigmoid_exact(x)) <= 4.0


# --- fused ops against their composite references ---------------------------------------------

def _grads(fn, args):
    return reverse(fn, args, (True,) * len(args))


@given(st.floats(-700, 700))
def test_fused_sigmoid_agrees_with_its_composite(x):
    """Composite e^(x−m)/(e^(x−m) + e^(−m)) is accurate to a few ulp too: relative 1e-15 in
    value; the gradients differ by the rounding of out·(1 − out) near out = 1 (abs 4ε)."""
    fused, (gf,) = _grads(F.sigmoid, (x,))
    comp, (gc,) = _grads(F.REFERENCES["sigmoid"], (x,))
    assert close(fused.data, comp.data, 1e-300, 4 * EPS)
    assert close(gf, gc, 4 * EPS, 1e-13)


@given(st.floats(-700, 700))
def test_fused_tanh_agrees_with_its_composite(x):
    """The composite 2σ(2x) − 1 cancels near 0: it is only accurate to ~2ε absolute (tanh(1e-8)
    comes out with about 8 correct digits instead of 16), which is why tanh is fused."""
    fused, (gf,) = _grads(F.tanh, (x,))
    comp, (gc,) = _grads(F.REFERENCES["tanh"], (x,))
    assert close(fused.data, comp.data, 4 * EPS, 0.0)
    assert close(gf, gc, 8 * EPS, 1e-13)


def test_composite_tanh_loses_digits_near_zero_and_the_fused_does_not():
    x = 1e-8
    assert F.tanh(x) == math.tanh(x)
    assert math.fabs(F.REFERENCES["tanh"](x) - math.tanh(x)) > 1e4 * math.ulp(math.tanh(x))


@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300))
def test_fused_logaddexp_agrees_with_its_composite(a, b):
    """Same value to 4ε·max(1, |m|) (the composite rounds ln(1 + e^(−|a−b|)) through log and
    loses results below ε·|m|), same gradient (σ(a−b), σ(b−a)) to 4ε."""
    fused, gf = _grads(F.logaddexp, (a, b))
    comp, gc = _grads(F.REFERENCES["logaddexp"], (a, b))
    m = max(a, b)
    assert close(fused.data, comp.data, 4 * EPS * max(1.0, math.fabs(m)), 0.0)
    for x, y in zip(gf, gc):
        assert close(x, y, 4 * EPS, 1e-13)


def test_composite_logaddexp_loses_tiny_results_and_the_fused_does_not():
    exact = math.log1p(math.exp(-40.0))
    assert F.logaddexp(-40.0, 0.0) == exact
    assert F.REFERENCES["logaddexp"](-40.0, 0.0) == 0.0


def test_fused_logaddexp_second_derivative_at_a_tie_is_a_quarter():
    """σ'(0) = ¼; the composite's max-based form gets it from the two one-sided rules."""
    row = hessian_row(F.logaddexp, (1.0, 1.0), 0, (True, True))
    assert row == [0.25, -0.25]


@pytest.mark.parametrize("name", [n for n in sorted(F.DERIVED) if DOMAINS[n].kinks])
def test_kinks_take_the_symmetric_difference(name):
    """At each kink the gradient is the ½/½ average of both sides, which is exactly what a
    central difference measures there."""
    fn, arity = F.DERIVED[name]
    for k in DOMAINS[name].kinks:  # a two-input op's kink is a tie: (k, k)
        args = (k,) * arity
        _, grads = reverse(fn, args, (True,) * arity)
        for i in range(arity):
            numeric, noise = central(fn, args, i, 2.0 ** -20)
            assert close(grads[i], numeric, noise + 1e-12, 0.0), (name, k, grads[i], numeric)
