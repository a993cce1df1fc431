"""Random expressions shrink to the smallest program that still fails, printed as one line
of Python that can be pasted (issue: strategies that shrink to a one-line program)."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from hypothesis import find, settings
from hypothesis.vendor.pretty import pretty

from autograd import GradcheckError, Value, primitive
from autograd.testing import Expression, assert_gradients_match, expressions

# A planted bug: tanh' written as 1 − tanh (the square forgotten).
DECLARATION = ("import math; from autograd import primitive; "
               "primitive('planted_tanh', math.tanh, lambda x, out: (1.0 - out,))")
planted = primitive("planted_tanh", math.tanh, lambda x, out: (1.0 - out,))
POINT = [0.3, -0.7]


def fails(expression: Expression) -> bool:
    try:
        assert_gradients_match(expression, POINT, blame=False)
    except GradcheckError:
        return True
    return False


def live_ops(program: str) -> int:
    return sum(program.count(s) for s in (" + ", " - ", " * ", " / ", "F.", "ops.REGISTRY"))


@pytest.fixture(scope="module")
def smallest():
    strategy = expressions(n_inputs=2, max_nodes=10,
                           ops=("add", "sub", "mul", "exp", "sigmoid", "planted_tanh"))
    return find(strategy, fails, settings=settings(max_examples=400, database=None,
                                                   deadline=None))


def test_a_planted_bug_shrinks_to_a_program_of_a_node_or_two(smallest):
    program = smallest.to_python()
    assert "planted_tanh" in program
    assert live_ops(program) <= 2, program
    assert fails(smallest)


def test_the_printed_program_runs_when_pasted(smallest):
    program = smallest.to_python()
    code = (f"{DECLARATION}; from autograd import Value, functional as F, ops; "
            f"f = {program}; a, b = Value({POINT[0]}), Value({POINT[1]}); y = f(a, b); "
            "print(repr(float(y.data)))")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=root), timeout=60)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == smallest(Value(POINT[0]), Value(POINT[1])).data


def test_hypothesis_prints_a_drawn_expression_as_its_program():
    e = Expression(2, (("mul", (0, 1)), ("tanh", (2,)), ("add", (3, 2)), ("exp", (0,))))
    assert pretty(e) == e.to_python() == "lambda v0, v1: F.exp(v0)"  # dead slots left out
    shared = Expression(1, (("add", (0, 0)), ("mul", (1, 1))))
    assert shared.to_python() == "lambda v0: (v1 := v0 + v0, v1 * v1)[-1]"


def test_the_failure_message_names_the_program():
    e = Expression(1, (("planted_tanh", (0,)),))
    with pytest.raises(GradcheckError, match=r"gradients of lambda v0: ops\.REGISTRY\['planted_tanh'\]\(v0\)"):
        assert_gradients_match(e, [0.5])
