"""Bad input gets the project's own exception, also an instance of the builtin a caller
expects, with a message naming the op and the offending type or value."""

from __future__ import annotations

import math

import pytest

from autograd import (AnomalyError, Dual, GradcheckError, OperandTypeError, PathgradError, Value,
                      detect_anomaly, functional as F)
from autograd.check import gradcheck, numerical_derivative

BAD = ["2", None, [1.0], (1.0,), {"x": 1}, 1 + 2j, object()]


@pytest.mark.parametrize("bad", BAD, ids=lambda b: type(b).__name__)
@pytest.mark.parametrize("symbol, apply", [
    ("+", lambda v, b: v + b), ("+", lambda v, b: b + v),
    ("*", lambda v, b: v * b), ("*", lambda v, b: b * v),
    ("/", lambda v, b: v / b), ("/", lambda v, b: b / v),
    ("-", lambda v, b: v - b), ("-", lambda v, b: b - v),
    ("**", lambda v, b: v ** b), ("max", lambda v, b: v.maximum(b)),
    ("min", lambda v, b: v.minimum(b)), ("<", lambda v, b: v < b),
])
def test_wrong_operand_type_is_an_operand_type_error_naming_op_and_type(bad, symbol, apply):
    with pytest.raises(OperandTypeError) as info:
        apply(Value(1.0), bad)
    message = str(info.value)
    assert symbol in message and type(bad).__name__ in message
    assert isinstance(info.value, TypeError) and isinstance(info.value, PathgradError)


@pytest.mark.parametrize("bad", BAD + [Value(1.0)], ids=lambda b: type(b).__name__)
def test_value_of_a_non_number_is_an_operand_type_error(bad):
    with pytest.raises(OperandTypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("bad", ["2", None, [1.0]], ids=lambda b: type(b).__name__)
def test_dual_and_functional_ops_reject_wrong_types_the_same_way(bad):
    with pytest.raises(OperandTypeError, match=type(bad).__name__):
        Dual(1.0) + bad
    with pytest.raises(OperandTypeError, match=type(bad).__name__):
        F.exp(bad)
    with pytest.raises(OperandTypeError, match=type(bad).__name__):
        F.logaddexp(1.0, bad)


def test_label_must_be_a_string():
    with pytest.raises(OperandTypeError, match="int"):
        Value(1.0, label=3)


def test_anomaly_error_is_a_floating_point_error_raised_in_forward():
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match="exp produced inf"):
            Value(1000.0, label="big").exp()


def test_anomaly_mode_rejects_non_finite_leaves():
    with detect_anomaly():
        with pytest.raises(AnomalyError, match="nan"):
            Value(math.nan)


def test_anomaly_mode_reports_division_by_zero_with_both_inputs():
    with detect_anomaly():
        a, b = Value(1.0, label="a"), Value(0.0, label="b")
        with pytest.raises(AnomalyError, match=r"div .*a=1\.0, b=0\.0"):
            a / b


def test_gradcheck_error_is_an_assertion_error_listing_each_mismatch():
    def leaky(a, b):  # hides part of the graph: wrong gradient for both inputs
        return Value(a.data * b.data) + a + b
    with pytest.raises(AssertionError) as info:
        gradcheck(leaky, [2.0, 3.0])
    assert isinstance(info.value, GradcheckError)
    message = str(info.value)
    assert message.count("MISMATCH") == 2
    assert "leaky" in message


def test_numerical_derivative_rejects_unknown_method_and_bad_step():
    with pytest.raises(ValueError, match="method"):
        numerical_derivative(math.exp, 0.0, method="sideways")
    with pytest.raises(ValueError, match="step"):
        numerical_derivative(math.exp, 0.0, h=0.0)
    with pytest.raises(ValueError, match="too small"):
        numerical_derivative(math.exp, 1e300, h=1.0)


def test_checked_function_must_return_a_number():
    with pytest.raises(OperandTypeError, match="str"):
        numerical_derivative(lambda x: "x", 1.0)
