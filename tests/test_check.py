"""The checkers themselves: finite differences converge at the rates they should, gradcheck
and friends catch wrong gradients and say where, and the shipped strategies stay in their
domains and reach the edges."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from autograd import GradcheckError, Value
from autograd.check import (check_modes, default_step, gradcheck, gradgradcheck,
                            numerical_derivative, numerical_gradient)
from autograd.testing import (DOMAINS, EDGES, POW_EXPONENTS, arguments,
                              assert_gradients_match, domain_floats, values)


def test_central_differences_converge_quadratically_forward_linearly():
    """Error of exp'(0): central ≈ h²/6, forward ≈ h/2 (halving h quarters / halves it)."""
    for h in (1e-2, 5e-3):
        central_error = numerical_derivative(math.exp, 0.0, h) - 1.0
        forward_error = numerical_derivative(math.exp, 0.0, h, "forward") - 1.0
        assert central_error == pytest.approx(h * h / 6, rel=1e-2)
        assert forward_error == pytest.approx(h / 2, rel=2e-2)
    backward_error = numerical_derivative(math.exp, 0.0, 1e-2, "backward") - 1.0
    assert backward_error == pytest.approx(-1e-2 / 2, rel=2e-2)


@given(st.floats(-50, 50))
def test_default_central_step_is_accurate_on_smooth_functions(x):
    """h = ε^(1/3)·max(1, |x|): the truncation error h²·|sin'''|/6 is at most
    (6e-6·50)²/6 = 1.5e-8."""
    assert numerical_derivative(math.sin, x) == pytest.approx(math.cos(x), abs=2e-8)
    assert numerical_derivative(math.atan, x) == pytest.approx(1 / (1 + x * x), rel=1e-9)


def test_default_step_balances_truncation_and_rounding():
    eps = 2.0 ** -52
    assert default_step(0.0) == eps ** (1 / 3)
    assert default_step(1e6) == 1e6 * eps ** (1 / 3)
    assert default_step(4.0, "forward") == 4.0 * math.sqrt(eps)


def test_numerical_gradient_of_the_worked_example():
    g = numerical_gradient(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])
    assert g == [pytest.approx(2.0, abs=1e-9), pytest.approx(5.0, abs=1e-9)]


def test_gradcheck_has_torch_like_defaults():
    import inspect
    params = inspect.signature(gradcheck).parameters
    assert (params["eps"].default, params["atol"].default, params["rtol"].default) == \
        (1e-6, 1e-5, 1e-3)
    assert params["raise_on_failure"].default is True


def test_gradcheck_report_lists_every_input_and_marks_each_mismatch():
    def wrong_in_b(a, b):
        return a * b + Value(b.data ** 2)  # b² is hidden from the graph
    report = gradcheck(wrong_in_b, [2.0, 3.0], raise_on_failure=False)
    assert not report.ok and not report
    assert [row.index for row in report.mismatches] == [1]
    row = report.rows[1]
    assert row.analytic == 2.0 and row.numeric == pytest.approx(2.0 + 6.0, rel=1e-8)
    assert row.abs_error == pytest.approx(6.0, rel=1e-8)
    assert row.rel_error == pytest.approx(6.0 / 8.0, rel=1e-8)
    text = str(report)
    assert "1 mismatch" in text and text.count("MISMATCH") == 1 and "wrong_in_b" in text
    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_in_b, [2.0, 3.0])
    assert str(info.value) == text


def test_gradcheck_accepts_values_as_inputs_and_constant_outputs():
    assert gradcheck(lambda x: x.tanh(), [Value(0.3)]).ok
    assert gradcheck(lambda x: 3.0, [1.0]).rows[0].analytic == 0.0


def test_gradgradcheck_catches_a_wrong_second_derivative_with_a_right_first():
    """f = 2x·detach(x) − detach(x)² has value x² and gradient 2x, but its recorded
    gradient graph 2·detach(x) has derivative 0 instead of 2."""
    def f(x):
        c = x.detach()
        return 2 * x * c - c * c
    assert gradcheck(f, [1.5]).ok
    (report,) = gradgradcheck(f, [1.5], raise_on_failure=False)
    assert not report.ok
    assert report.rows[0].analytic == 0.0 and report.rows[0].numeric == pytest.approx(2.0)


def test_check_modes_compares_reverse_with_forward_mode():
    report = check_modes(lambda x, y: (x * y).tanh() + x.exp() / y, [0.5, -2.0])
    assert report.ok and len(report.rows) == 2
    with pytest.raises(GradcheckError, match="forward mode"):
        check_modes(lambda x: x * Value(x.data) if isinstance(x, Value) else x * x, [3.0])


def test_assert_gradients_match_names_the_disagreeing_input():
    with pytest.raises(GradcheckError, match="input 1: reverse"):
        assert_gradients_match(lambda a, b: a * b + Value(b.data ** 2), [2.0, 3.0],
                               forward=False)


@given(st.floats(-3, 3))
def test_assert_gradients_match_in_three_lines(x):
    assert_gradients_match(lambda v: (v * v).tanh() + v.sigmoid() * v, [x])


# --- the strategies -----------------------------------------------------------------------

@given(name=st.sampled_from(sorted(DOMAINS)), data=st.data())
def test_domain_floats_stay_inside_the_domain(name, data):
    x = data.draw(domain_floats(name))
    assert DOMAINS[name].contains(x) and not math.isnan(x)


@pytest.mark.parametrize("name", sorted(DOMAINS))
def test_domain_edges_include_the_named_extremes_where_defined(name):
    domain = DOMAINS[name]
    edges = domain.edges()
    for x in EDGES:
        if domain.contains(x):
            assert any(x == e and math.copysign(1, x) == math.copysign(1, e) for e in edges)
    for k in domain.kinks:
        assert k in edges


def test_log_domain_excludes_zero_and_exp_domain_stops_before_overflow():
    assert not DOMAINS["log"].contains(0.0) and DOMAINS["log"].contains(1e-300)
    assert math.isfinite(math.exp(DOMAINS["exp"].high))
    assert not DOMAINS["log1p"].contains(-1.0)


@given(arguments("pow"))
def test_pow_arguments_use_the_constant_exponents_and_valid_bases(args):
    x, k = args
    assert k in POW_EXPONENTS
    assert x > 0 or k == int(k)


@given(arguments("max"))
def test_arguments_give_finite_values(args):
    assert math.isfinite(max(args))


@given(values(st.floats(-5, 5)))
def test_values_strategy_gives_leaves(v):
    assert isinstance(v, Value) and v.is_leaf and v.requires_grad


def test_unknown_op_has_no_domain():
    with pytest.raises(ValueError, match="no domain for op 'frobnicate'"):
        domain_floats("frobnicate")


def test_a_gradcheck_report_shows_as_its_table_and_as_html():
    report = gradcheck(lambda x, y: x * y, [2.0, 3.0])
    assert repr(report) == str(report) and "ok" in repr(report).splitlines()[0]
    page = report._repr_html_()
    assert page.startswith('<table class="pathgrad-table"><caption>gradcheck')
    assert "<td>ok</td>" in page


# --- steps that follow |x| and the float format ------------------------------------------------

def test_default_step_follows_the_float_format():
    from autograd.check import MACHINE_EPSILON, machine_epsilon
    assert machine_epsilon("float32") == 2.0 ** -23 == MACHINE_EPSILON["float32"]
    assert machine_epsilon(float) == 2.0 ** -52
    assert default_step(3.0, dtype="float16") == pytest.approx(3.0 * 2.0 ** (-10 / 3))
    assert default_step(3.0, "forward", eps=1e-4) == pytest.approx(3.0 * 1e-2)
    with pytest.raises(ValueError, match="unknown float format"):
        default_step(1.0, dtype="float8")


def test_a_step_below_the_formats_machine_epsilon_is_refused():
    """The bug of a fixed eps under the format's epsilon (1e-4 in float16, ε = 9.8e-4)."""
    with pytest.raises(ValueError, match="too small for x = 1.0 in float16"):
        numerical_derivative(math.exp, 1.0, h=1e-4, dtype="float16")
    with pytest.raises(ValueError, match="too small"):
        numerical_derivative(math.exp, 1e6, h=1e-12)     # relative 1e-18 < 2.2e-16
    assert numerical_derivative(math.exp, 1.0, h=1e-2, dtype="float16") == \
        pytest.approx(math.e, rel=1e-4)


def test_gradchecks_eps_is_relative_as_documented():
    """h = eps·max(1, |x|): at x = 1e12 an absolute 1e-6 would not even move x."""
    assert gradcheck(lambda x: x * x, [1e12]).ok
    report = gradcheck(lambda x: x * x, [3.0e3], raise_on_failure=False)
    assert report.numeric_name == "numeric (central, h=1e-06·max(1,|x|))"
    assert gradcheck(lambda x: x * x, [0.5]).numeric_name == "numeric (central, h=1e-06)"


def test_numerical_gradient_takes_the_format():
    g = numerical_gradient(lambda a, b: a * b, [2.0, 3.0], dtype="float32")
    assert g == [pytest.approx(3.0, rel=1e-9), pytest.approx(2.0, rel=1e-9)]


def test_assert_gradients_match_lives_in_check_and_reports_instead_of_raising():
    from autograd import ops
    from autograd.check import assert_gradients_match as in_check
    from autograd.functional import apply
    mine = ops.Primitive("cube", "cube", 1, lambda x: x ** 3, lambda x, out: (3.0 * x * x,))
    in_check(lambda x: apply(mine, x) + x, [0.4])           # no KeyError from forward mode
    with pytest.raises(GradcheckError) as info:
        in_check(lambda x: x * Value(x.data ** 2), [3.0])   # no OperandTypeError
    assert "leak" in str(info.value) and "forward mode cannot run f" in str(info.value)
    with pytest.raises(GradcheckError, match="input 0: reverse 1.0 != central"):
        in_check(lambda x: x * Value(x.data), [1.0], blame=False)


def test_autograd_testing_without_hypothesis_says_which_extra_to_install():
    import subprocess
    import sys
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "import autograd, autograd.check\n"          # the engine and checks need no hypothesis
            "try:\n    import autograd.testing\n"
            "except ModuleNotFoundError as e:\n    print(type(e).__name__, e)\n")
    root = __import__("os").path.dirname(__import__("os").path.dirname(__file__))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=root or ".", timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'pip install "pathgrad[test]"' in result.stdout
