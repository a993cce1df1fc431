"""The Taylor-remainder test: slope 2 for every built-in op at well-conditioned points,
slope 1 for a planted wrong rule, and a report that shows its table."""

from __future__ import annotations

import dataclasses

import pytest

from autograd import Value, ops
from autograd import functional as F
from autograd.check import taylor_check as exported
from autograd.functional import apply
from autograd.taylor import PASS_SLOPE, TaylorReport, taylor_check

#: Well-conditioned points (away from kinks and singularities) per op.
POINTS = (0.7, -1.3, 2.2)


def _args(name: str, arity: int, x: float) -> list[float]:
    """x, moved into the op's domain (its record) and away from its singular point; pow's
    base positive (a negative base has no real power for most exponents)."""
    record = ops.REGISTRY[name]
    domain = record.domain_of(0)
    if not domain.contains(x) or domain.singular is not None or record is ops.POW:
        x = abs(x)
    return [x] if arity == 1 else [x, 1.5]


@pytest.mark.parametrize("op", ops.PRIMITIVES, ids=lambda op: op.name)
def test_every_primitive_passes(op):
    for x in POINTS:
        report = taylor_check(lambda *a: apply(op, *a), _args(op.name, op.arity, x))
        assert report.ok, report
        assert report.slope is None or report.slope >= 1.9, report


@pytest.mark.parametrize("name", sorted(F.DERIVED))
def test_every_derived_op_passes(name):
    fn, arity = F.DERIVED[name]
    for x in POINTS:
        report = taylor_check(fn, _args(name, arity, x))
        assert report.ok, report


def test_a_planted_wrong_rule_fails_with_slope_one():
    bad = dataclasses.replace(ops.TANH, local=lambda x, out: (1.0 - out,))
    for x in POINTS:
        report = taylor_check(lambda a, b: apply(bad, a * b) + a, [x, 0.5])
        assert not report.ok
        assert report.slope == pytest.approx(1.0, abs=0.05)
        assert "FAILED: slope 1.00 (≈ 1: the gradient is wrong along v" in str(report)


def test_a_leak_fails_with_slope_one():
    report = taylor_check(lambda x, y: x * Value(x.data) + y, [1.5, -0.5])
    assert not report.ok and report.slope == pytest.approx(1.0, abs=0.05)


def test_a_linear_function_passes_at_the_rounding_level():
    report = taylor_check(lambda x, y: 3.0 * x - y, [1.0, 2.0])
    assert report.ok and report.slope is None
    assert "every remainder is at the rounding level" in str(report)


def test_the_report_is_a_table_of_steps_with_the_fitted_ones_marked():
    report = taylor_check(lambda x: x.exp(), [0.3], halvings=10)
    assert isinstance(report, TaylorReport) and len(report.rows) == 10
    assert [r.h for r in report.rows] == [0.125 * 2.0 ** -k for k in range(10)]
    assert report.fitted == tuple(r.h for r in report.rows[-4:])
    text = str(report)
    assert text.count("fitted") == 4 and "remainder" in text
    assert "<table" in report._repr_html_()
    assert PASS_SLOPE == 1.75 and exported is taylor_check


def test_the_direction_is_seeded_and_can_be_given():
    f = lambda x, y: (x * y).tanh()  # noqa: E731
    a, b = taylor_check(f, [0.2, 0.4]), taylor_check(f, [0.2, 0.4])
    assert a.direction == b.direction and abs(sum(c * c for c in a.direction) - 1) < 1e-12
    assert taylor_check(f, [0.2, 0.4], seed=1).direction != a.direction
    assert taylor_check(f, [0.2, 0.4], [0.0, 1.0]).direction == (0.0, 1.0)
    with pytest.raises(ValueError, match="direction"):
        taylor_check(f, [0.2, 0.4], [1.0])


def test_a_given_gradient_is_tested_instead_of_reverse_mode():
    assert not taylor_check(lambda x: x * x, [2.0], gradient=[3.0])
    assert taylor_check(lambda x: x * x, [2.0], gradient=[4.0])


def test_the_noise_floor_follows_the_float_format():
    f64 = taylor_check(lambda x: x * x * x, [1.0], halvings=3)
    f32 = taylor_check(lambda x: x * x * x, [1.0], halvings=3, dtype="float32")
    assert f32.rows[0].noise > 1e6 * f64.rows[0].noise
