"""The conventions of the engine, one named test each (SPEC §1 "Conventions")."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from autograd import (AnomalyError, Dual, OperandTypeError, Value, detect_anomaly,
                      functional as F, ops)
from autograd.check import numerical_derivative


# --- ties in max: ½/½ ---------------------------------------------------------------------

def test_max_tie_splits_the_gradient_half_and_half():
    a, b = Value(2.0), Value(2.0)
    a.maximum(b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)


def test_max_of_x_with_itself_has_gradient_one():
    x = Value(3.0)
    x.maximum(x).backward()
    assert x.grad == 1.0


def test_relu_derivative_at_zero_is_one_half():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.5
    assert F.relu(Dual(0.0, 1.0)).tangent == 0.5


def test_abs_derivative_at_zero_is_zero():
    x = Value(0.0)
    abs(x).backward()
    assert x.grad == 0.0
    assert abs(Dual(0.0, 1.0)).tangent == 0.0


def test_the_tie_convention_is_what_central_differences_measure():
    """(relu(h) − relu(−h)) / 2h = ½ and (|h| − |−h|) / 2h = 0, for any h."""
    assert numerical_derivative(F.relu, 0.0) == 0.5
    assert numerical_derivative(F.abs, 0.0) == 0.0


def test_min_tie_splits_the_gradient_half_and_half():
    a, b = Value(-1.0), Value(-1.0)
    a.minimum(b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)


# --- IEEE results, never a math exception ------------------------------------------------

def test_log_of_zero_is_minus_inf_with_gradient_plus_inf():
    x = Value(0.0)
    y = x.log()
    y.backward()
    assert y.data == -math.inf and x.grad == math.inf


def test_log_of_minus_one_is_nan():
    assert math.isnan(Value(-1.0).log().data)


def test_exp_of_1000_is_inf():
    x = Value(1000.0)
    y = x.exp()
    y.backward()
    assert y.data == math.inf and x.grad == math.inf


@pytest.mark.parametrize("a, b, expected", [(1.0, 0.0, math.inf), (-1.0, 0.0, -math.inf),
                                            (1.0, -0.0, -math.inf), (0.0, 0.0, None)])
def test_division_by_zero_is_signed_inf_or_nan(a, b, expected):
    y = (Value(a) / Value(b)).data
    assert math.isnan(y) if expected is None else y == expected


_ANY = st.floats(allow_nan=True, allow_infinity=True)


@pytest.mark.parametrize("op", ops.PRIMITIVES, ids=lambda p: p.name)
@given(data=st.data())
def test_no_primitive_raises_a_math_exception_forward_or_backward(op, data):
    """Every float, inf and nan included, in every argument: IEEE results only."""
    args = [data.draw(_ANY) for _ in range(op.arity)]
    if op is ops.POW:
        args[1] = data.draw(st.sampled_from([2.0, 3.0, -1.0, -2.0, 0.5, 0.0, 1.5, -0.5]))
    out = op.forward(*args)
    assert out.__class__ is float
    local = op.local(*args, out)
    assert len(local) == op.arity and all(d.__class__ is float for d in local)
    leaves = [Value(a) for a in args]
    F.apply(op, *leaves).backward()
    assert all(v.grad.__class__ is float for v in leaves)
    Dual.apply(op, *(Dual(a, 1.0) for a in args))


@pytest.mark.parametrize("name", sorted(F.DERIVED))
@given(data=st.data())
def test_no_derived_op_raises_a_math_exception(name, data):
    fn, arity = F.DERIVED[name]
    args = [data.draw(_ANY) for _ in range(arity)]
    leaves = [Value(a) for a in args]
    fn(*leaves).backward()
    fn(*args)
    fn(*(Dual(a, 1.0) for a in args))


# --- anomaly mode -----------------------------------------------------------------------------

def test_anomaly_mode_names_op_inputs_label_and_creation_site_in_the_forward_pass():
    x = Value(0.0, label="x")
    with pytest.raises(AnomalyError) as info:
        with detect_anomaly():
            x.log()  # this line is the creation site
    message = str(info.value)
    assert "log" in message and "x=0.0" in message and "-inf" in message
    assert f"{__file__}:" in message
    assert isinstance(info.value, FloatingPointError)


def test_anomaly_mode_names_op_inputs_label_and_creation_site_in_the_backward_pass():
    with detect_anomaly():
        x = Value(0.0, label="x")
        y = x.sqrt()  # √0 = 0 is finite; its derivative 1/(2√0) is not
        y.label = "root"
        line = _line_of("y = x.sqrt()")
        with pytest.raises(AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert "backward" in message and "pow" in message and "x=0.0" in message
    assert "'root'" in message
    assert f"{__file__}:{line}" in message


def _line_of(text: str) -> int:
    with open(__file__, encoding="utf-8") as source:
        for number, line in enumerate(source, 1):
            if text in line and "_line_of" not in line:
                return number
    raise AssertionError(text)


def test_anomaly_mode_off_gives_ieee_results_silently():
    assert Value(0.0).log().data == -math.inf


# --- data and grad are floats; numpy scalars accepted -----------------------------------------

@given(st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.floats(-1e6, 1e6)))
def test_data_and_grad_are_always_python_floats(x):
    v = Value(x)
    y = v * 2 + 1
    y.backward()
    for node in (v, y):
        assert node.data.__class__ is float and node.grad.__class__ is float


@pytest.mark.parametrize("scalar", [np.float64(1.5), np.float32(1.5), np.int64(3), np.int8(2),
                                    np.uint16(7)], ids=repr)
def test_numpy_scalars_are_accepted_as_operands_and_data(scalar):
    v = Value(scalar)
    assert v.data.__class__ is float and v.data == float(scalar)
    for y in (v + scalar, scalar + v, v * scalar, scalar * v, v - scalar, scalar - v,
              v / scalar, scalar / v, v ** 2, v.maximum(scalar)):
        assert isinstance(y, Value) and y.data.__class__ is float
    y = scalar * v + v * scalar
    y.backward()
    assert v.grad == 2.0 * float(scalar) and v.grad.__class__ is float


def test_numpy_bool_is_accepted_like_bool():
    """np.bool_ is a numpy scalar but not a ``numbers.Real``: it must work like ``True``."""
    v = Value(np.bool_(True))
    assert v.data == 1.0
    assert (Value(2.0) * np.bool_(True)).data == 2.0
    assert (np.bool_(False) + Value(2.0)).data == 2.0


def test_numpy_bool_is_accepted_by_dual_numbers():
    assert (Dual(2.0, 1.0) * np.bool_(True)).tangent == 1.0


def test_wrong_operand_type_raises_operand_type_error_naming_op_and_type():
    with pytest.raises(OperandTypeError, match=r"\+.*str") as info:
        Value(1.0) + "2"
    assert isinstance(info.value, TypeError)
