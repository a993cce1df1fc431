"""Random expression DAGs with shared nodes (``autograd.testing.expressions``): reverse mode =
forward mode = central differences; contributions sum to the gradient; values equal a plain
``math`` evaluation of the same program (exactly for + − × ÷)."""

from __future__ import annotations

import math

from hypothesis import Phase, find, given, settings, strategies as st

from autograd import Dual, Value, grad
from autograd.check import gradgradcheck
from autograd.testing import (EXPRESSION_OPS, KINKED_OPS, SMOOTH_OPS, Expression,
                              assert_gradients_match, expression_inputs, expressions)
from proof_helpers import SECOND_ORDER

ARITHMETIC = ("add", "sub", "mul", "div")


@st.composite
def programs(draw, ops=SMOOTH_OPS, max_nodes=10):
    expr = draw(expressions(n_inputs=draw(st.integers(1, 3)), max_nodes=max_nodes, ops=ops))
    return expr, draw(expression_inputs(expr))


@given(programs())
def test_reverse_equals_forward_equals_central_differences_on_random_dags(program):
    """Expressions are well conditioned by construction (interval-guarded log, ÷, exp, ×),
    so rtol 1e-5 with the rounding allowance of ``assert_gradients_match`` is ample."""
    expr, xs = program
    assert_gradients_match(expr, xs)


@given(programs(ops=SMOOTH_OPS + KINKED_OPS))
def test_reverse_equals_forward_on_random_dags_with_kinks(program):
    """With max, relu and abs both engines follow the same ½/½ tie convention, ties between
    shared nodes included; central differences do not apply at kinks."""
    expr, xs = program
    assert_gradients_match(expr, xs, numeric=False)


@given(programs())
def test_contributions_sent_to_each_node_sum_to_its_gradient(program):
    expr, xs = program
    leaves = [Value(x) for x in xs]
    slots = expr.slots(*leaves)
    out = slots[-1]
    received: dict[int, float] = {}
    for step in out.backward_steps():
        for parent, sent in zip(step.node.parents, step.sent):
            if sent is not None:
                received[id(parent)] = received.get(id(parent), 0.0) + sent
    for node in slots[:-1]:
        if isinstance(node, Value) and node.requires_grad and id(node) in received:
            total = received[id(node)]
            # the walk adds in the same order: the sum is reproduced exactly
            assert node.grad == total, (expr, node, total)


@given(programs())
def test_each_node_is_within_a_few_ulp_of_math_on_its_parents(program):
    """Node by node, the engine's value equals the ``math`` reference applied to the engine's
    own parent values: exactly for + − × ÷ and exp/log/tanh (the same float operation), within
    2 ulp for sigmoid and softplus (same formula, written separately)."""
    expr, xs = program
    slots = expr.slots(*(Value(x) for x in xs))
    for k, (name, operands) in enumerate(expr.instructions):
        got = slots[expr.n_inputs + k].data
        want = EXPRESSION_OPS[name].reference(*(slots[j].data for j in operands))
        assert math.fabs(got - want) <= 2 * math.ulp(want), (expr, name, got, want)


@given(programs(ops=ARITHMETIC))
def test_arithmetic_dags_equal_plain_float_evaluation_exactly(program):
    expr, xs = program
    assert expr(*(Value(x) for x in xs)).data == expr.reference(*xs) == expr(*xs)
    assert expr(*(Dual(x, 1.0) for x in xs)).value == expr.reference(*xs)


@given(programs())
def test_values_agree_across_floats_values_and_duals(program):
    expr, xs = program
    by_float = expr(*xs)
    assert expr(*(Value(x) for x in xs)).data == by_float
    assert expr(*(Dual(x) for x in xs)).value == by_float


@given(expressions(n_inputs=2, max_nodes=12))
def test_expressions_print_as_readable_programs(expr):
    text = repr(expr)
    assert text.startswith("Expression(n_inputs=2): ")
    assert text.count(" = ") == len(expr.instructions) and "return v" in text


def test_expressions_share_subexpressions():
    """Some drawn program uses an op node (not only an input) more than once."""
    shared = find(expressions(n_inputs=2, max_nodes=6),
                  lambda e: any(j >= e.n_inputs for j in e.shared),
                  settings=settings(phases=[Phase.generate], database=None))
    assert any(j >= shared.n_inputs for j in shared.shared)


def test_a_hand_written_program_with_a_shared_node():
    """v2 = a·b is used twice: ∂/∂a (v2 + v2·a) = b + 2ab = 15 and ∂/∂b = a + a² = 6 at
    a = 2, b = 3."""
    expr = Expression(2, (("mul", (0, 1)), ("mul", (2, 0)), ("add", (2, 3))))
    a, b = Value(2.0), Value(3.0)
    expr(a, b).backward()
    assert (a.grad, b.grad) == (3.0 + 2 * 2.0 * 3.0, 2.0 + 2.0 * 2.0)


@SECOND_ORDER
@given(programs(max_nodes=8))
def test_hessians_of_random_dags_are_symmetric_and_match_central_differences(program):
    """Reverse over reverse (``create_graph``) on shared nodes: H = Hᵀ to rounding, and each
    row equals central differences of the gradient (``gradgradcheck``'s torch-like
    tolerances; the expressions are bounded, so they are ample)."""
    expr, xs = program
    leaves = [Value(x) for x in xs]
    first = grad(expr(*leaves), leaves, create_graph=True)
    hessian = [[float(h) for h in grad(g, leaves)] if isinstance(g, Value)
               else [0.0] * len(leaves) for g in first]
    for i in range(len(xs)):
        for j in range(i):
            assert math.isclose(hessian[i][j], hessian[j][i], rel_tol=1e-9, abs_tol=1e-12)
    assert all(report.ok for report in gradgradcheck(expr, xs, raise_on_failure=False)), \
        [str(r) for r in gradgradcheck(expr, xs, raise_on_failure=False)]
