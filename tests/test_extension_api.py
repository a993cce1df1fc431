"""Your own ops, through the public API only: one declaration, and every tool picks it up.

``softsign`` (a primitive: forward, local rule, no tangent: forward mode derives one) and
``softclip`` (a derived op: algebra on primitives) are not shipped with pathgrad.  Each is
used here on floats, Values and Duals, in backward, higher order, forward mode, pictures,
stepping, paths, replay, the command line and the hypothesis strategies.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

import autograd
from autograd import (Domain, Value, derivative, derived, forward_derivative, gradcheck,
                      paths, primitive, to_dot)
from autograd.cli import evaluate
from autograd.forward import Dual
from autograd.replay import trace
from autograd.testing import (DOMAINS, arguments, assert_gradients_match, domain_floats,
                              expressions)


def _softsign(x: float) -> float:
    return x / (1.0 + math.fabs(x))


def _softsign_local(x, out):
    s = 1.0 + abs(x)             # floats or Values: the rule runs again for higher order
    return (1.0 / (s * s),)


softsign = primitive("softsign", _softsign, _softsign_local, method="softsign",
                     cli="softsign", domain=Domain(kinks=(0.0,), extra=(1e-8, 50.0)))


@derived(method="softclip", cli="softclip", domain=Domain(kinks=(-1.0, 1.0)))
def softclip(x):
    """max(min(x, 1), −1) smoothed by a softplus: x − softplus(x − 1) + softplus(−x − 1)."""
    return x - autograd.softplus(x - 1.0) + autograd.softplus(-x - 1.0)


def exact_softsign_prime(x: float) -> float:
    return 1.0 / (1.0 + abs(x)) ** 2


def test_a_declared_primitive_runs_on_floats_values_and_duals():
    assert softsign(1.0) == 0.5 and softsign(-3) == -0.75
    v = Value(1.0)
    y = softsign(v)
    assert isinstance(y, Value) and y.op is softsign and y.parents == (v,)
    assert v.softsign().data == 0.5                      # the method from the record
    d = softsign(Dual(1.0, 1.0))
    assert isinstance(d, Dual) and d.value == 0.5 and d.tangent == 0.25
    assert Dual(1.0, 1.0).softsign().tangent == 0.25


def test_backward_higher_order_and_forward_mode():
    x = Value(2.0)
    y = softsign(x) * x
    y.backward()
    assert x.grad == pytest.approx(exact_softsign_prime(2.0) * 2.0 + _softsign(2.0), rel=1e-15)
    d2 = derivative(derivative(softsign))(2.0)          # −2/(1 + x)³ for x > 0
    assert d2 == pytest.approx(-2.0 / 27.0, rel=1e-14)
    assert forward_derivative(softsign, 2.0) == pytest.approx(1.0 / 9.0, rel=1e-15)
    assert bool(gradcheck(lambda a: softsign(a * a), [0.7]))


def test_derived_op_groups_and_differentiates():
    x = Value(0.3, label="x")
    y = softclip(x)
    assert y.group is not None and y.group[0] == "softclip" and y.group[1] == (x,)
    assert x.softclip().data == y.data
    assert_gradients_match(lambda v: softclip(v) * v, [0.3])
    assert_gradients_match(lambda v: softsign(v) + softclip(v), [-1.7])


def test_pictures_stepping_and_paths_show_the_op():
    x = Value(2.0, label="x")
    y = softsign(x * 3.0)
    y.label = "y"
    assert "softsign" in to_dot(y).source
    steps = [str(s) for s in y.backward_steps()]
    assert "softsign" in steps[0]
    assert [p.product for p in paths(y) if p.input is x] == \
        [pytest.approx(exact_softsign_prime(6.0) * 3.0)]
    z = softclip(x)
    assert "softclip" in to_dot(z, derived="box").source


def test_replay_runs_the_declared_rules():
    def loss(a, b):
        return softsign(a * b) + softclip(b)
    compiled = trace(loss, Value(0.5), Value(-2.0))
    for a0, b0 in ((0.5, -2.0), (1.5, 0.25), (-3.0, 4.0)):
        a, b = Value(a0), Value(b0)
        eager = loss(a, b)
        eager.backward()
        out, grads = compiled(a0, b0)
        assert out == eager.data
        assert list(grads) == [a.grad, b.grad]


def test_command_line_knows_the_declared_functions():
    assert "softsign" in autograd.cli.FUNCTIONS and "softclip" in autograd.cli.FUNCTIONS
    out, _ = evaluate("softsign(x) + softclip(x)", {"x": 2.0})
    assert out.data == pytest.approx(_softsign(2.0) + softclip(2.0))


def test_strategies_know_the_declared_domains():
    assert DOMAINS["softsign"].kinks == (0.0,)
    assert 0.0 in DOMAINS["softsign"].edges() and 1e-8 in DOMAINS["softsign"].edges()


@settings(max_examples=40, deadline=None)
@given(args=arguments("softsign"))
def test_softsign_gradients_over_its_domain(args):
    (x,) = args
    assume_finite = math.isfinite(x) and math.fabs(x) < 1e8
    if assume_finite:
        assert_gradients_match(softsign, [x])


@settings(max_examples=30, deadline=None)
@given(x=domain_floats("softclip"))
def test_softclip_gradients_over_its_domain(x):
    if math.fabs(x) < 1e6:
        assert_gradients_match(softclip, [x])


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_random_expressions_use_the_declared_ops(data):
    expression = data.draw(expressions(n_inputs=2, max_nodes=6,
                                       ops=("add", "mul", "softsign", "softclip")))
    # positive inputs keep every softsign away from its kink at 0 (its second derivative
    # jumps there, so a central difference is off by O(h))
    xs = data.draw(st.lists(st.floats(0.1, 2.0), min_size=2, max_size=2))
    assert_gradients_match(expression, xs)
