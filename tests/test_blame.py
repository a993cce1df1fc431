"""Blame names the wrong node: planted wrong rules in graphs of 10 to 10,000 nodes and in an
MLP, each failure kind with its report text, no false alarms on random correct graphs, and
the picture with the wrong node highlighted."""

from __future__ import annotations

import dataclasses
import math
import random
import time

import pytest
from hypothesis import given, settings, strategies as st

import autograd
import autograd.value
import nn
from autograd import GradcheckError, Value, ops
from autograd import functional as F
from autograd.blame import KINDS, BlameReport, blame, blame_graph, difference
from autograd.check import assert_gradients_match
from autograd.functional import apply
from autograd.graph import topological_order
from autograd.pytest_plugin import GraphChecker, gradcheck_ops  # noqa: F401 (the fixture)
from autograd.testing import KINKED_OPS, SMOOTH_OPS, expression_inputs, expressions

#: tanh with the classic slip: 1 − tanh instead of 1 − tanh².
BAD_TANH = dataclasses.replace(ops.TANH, local=lambda x, out: (1.0 - out,))


def random_dag(n: int, bad_at: int, seed: int = 0) -> tuple[Value, Value, list[Value]]:
    """A random DAG of about ``n`` nodes over three inputs (shared subexpressions, every
    primitive family, ties of max now and then) with one node made by BAD_TANH at slot
    ``bad_at``; returns (output, the bad node, the inputs)."""
    rng = random.Random(seed)
    xs = [Value(0.3, label="x0"), Value(-0.7, label="x1"), Value(1.1, label="x2")]
    slots: list[Value] = list(xs)
    bad = None
    while len(topological_order(slots[-1])) < n if len(slots) % 64 == 0 else True:
        k = len(slots)
        a = slots[-1] if bad is not None and slots[-1] is bad else \
            slots[rng.randrange(max(0, k - 20), k)]
        b = slots[rng.randrange(0, k)]
        r = rng.random()
        if k == bad_at:
            v = bad = apply(BAD_TANH, a)
        elif r < 0.25:
            v = (a * b).tanh()
        elif r < 0.45:
            v = a + b
        elif r < 0.6:
            v = (a - b).sigmoid()
        elif r < 0.75:
            v = F.maximum(a, b)
        elif r < 0.9:
            v = (a * 0.5).tanh()
        else:
            v = F.softplus(a)
        slots.append(v)
        if len(slots) % 64 == 0 and len(topological_order(slots[-1])) >= n:
            break
    if bad is None:
        bad = apply(BAD_TANH, slots[-1])
        slots.append(bad)
    out = slots[-1] + bad  # the bad node is in the graph
    return out, bad, xs


def test_a_planted_wrong_rule_builds_a_node_with_that_rule():
    x = Value(0.5)
    y = apply(BAD_TANH, x)
    assert y.op is BAD_TANH and y.parents == (x,) and y.data == math.tanh(0.5)
    y.backward()
    assert x.grad == 1.0 - math.tanh(0.5)


@pytest.mark.parametrize("n", [10, 100, 1000])
def test_blame_names_exactly_the_planted_node_in_random_dags(n):
    out, bad, _ = random_dag(n, bad_at=max(4, n // 3), seed=n)
    report = blame_graph(out)
    assert report.kind == "wrong rule"
    assert report.culprit.node is bad
    assert [v.node for v in report.wrong] == [bad]
    assert report.culprit.op_name == "tanh" and report.culprit.inputs == (bad.parents[0].data,)
    assert report.culprit.expected == pytest.approx(1 - bad.data ** 2, rel=1e-8)
    assert report.culprit.got == 1 - bad.data


def test_blame_names_the_planted_node_among_10000_in_a_few_seconds():
    out, bad, _ = random_dag(10_000, bad_at=6_000, seed=7)
    assert len(topological_order(out)) >= 10_000
    start = time.perf_counter()
    report = blame_graph(out)
    elapsed = time.perf_counter() - start
    assert [v.node for v in report.wrong] == [bad]
    assert elapsed < 5.0, f"blame took {elapsed:.1f} s on {report.nodes} nodes"


def mlp_loss(act_override=None):
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    if act_override is not None:
        model.layers[1].neurons[5].act = act_override
    points = [([0.5, -1.0], 1.0), ([1.5, 0.3], -1.0), ([-0.2, 0.8], 0.5)]
    loss = Value(0.0)
    for x, y in points:
        loss = loss + (model(x)[0] - y) ** 2
    return loss


def test_blame_names_the_planted_node_in_an_mlp_loss():
    assert blame_graph(mlp_loss()).ok
    made = []

    def bad_tanh(z):
        out = apply(BAD_TANH, z)
        made.append(out)
        return out
    loss = mlp_loss(bad_tanh)
    report = blame_graph(loss)
    assert len(made) == 3  # the neuron runs once per data point
    assert [v.node for v in report.wrong] == made  # exactly those, first one named
    assert report.culprit.node is made[0] and report.kind == "wrong rule"


def test_wrong_rule_report_says_which_side_is_the_engine_and_which_the_reference():
    report = blame(lambda x, y: apply(BAD_TANH, x * y) + y, [0.5, 2.0])
    text = str(report)
    assert text.startswith("blame of <lambda> at [0.5, 2.0]: wrong rule at node #3 of 5")
    assert "tanh(1.0) = 0.7615941559557649" in text
    assert f"expected {report.culprit.expected!r} (reference: central difference)" in text
    assert f"got {1 - math.tanh(1.0)!r} (engine: op.local)" in text
    assert "forward mode 0.41997434161" in text
    assert "wrong rule" in report._repr_html_() and not report.ok and not bool(report)


def test_the_creation_site_is_named():
    # blame runs f inside recording_sites(): every node knows the file:line that made it

    def f(x):
        return apply(BAD_TANH, x) * 2.0   # this line is the site
    report = blame(f, [0.4])
    assert report.culprit.site.endswith(f"test_blame.py:{f.__code__.co_firstlineno + 1}")
    assert f"made at {report.culprit.site}" in str(report)


def test_a_graph_built_outside_recording_sites_says_its_sites_are_unknown():
    x = Value(0.4)
    report = blame_graph(apply(BAD_TANH, x))
    assert "made at <site not recorded>" in str(report)


def test_leak_names_the_constant_that_moves_with_the_input():
    report = blame(lambda x: x * Value(x.data ** 2, label="hidden"), [3.0])
    assert report.kind == "leak" and report.culprit is None
    text = str(report)
    assert "leak — every local rule matches its reference" in text
    assert "input 0: expected 27.0000000" in text and "got 9.0 (engine: reverse mode)" in text
    assert "constant 'hidden' = 9.0 (node #1)" in text
    assert "moves with input 0 (d data/dx ≈ 6)" in text
    [leak] = report.leaks
    assert leak.slope == pytest.approx(6.0) and leak.node.label == "hidden"


def test_a_constant_that_does_not_move_is_not_blamed():
    report = blame(lambda x, y: x * Value(2.0) + y * Value(y.data) + 1.0, [3.0, 0.5])
    assert report.kind == "leak"
    assert [(leak.data, leak.input_index) for leak in report.leaks] == [(0.5, 1)]
    assert [row.kind for row in report.whole] == [None, "leak"]


def test_silent_zero_in_a_rule_is_its_own_kind_whatever_the_tolerance():
    zero = dataclasses.replace(ops.EXP, local=lambda x, out: (0.0,))
    report = blame(lambda x: apply(zero, x), [-30.0], atol=1.0, rtol=1.0)
    assert report.kind == "silent zero"   # e^-30 ≈ 9e-14 is far below atol, still caught
    assert "SILENT ZERO: exactly 0 where the derivative clearly is not" in str(report)


def test_silent_zero_of_the_whole_gradient_is_its_own_kind():
    report = blame(lambda x: Value(x.data ** 2) + 0 * x, [2.0])
    assert report.kind == "silent zero"
    text = str(report)
    assert "got 0.0 (engine: reverse mode)  SILENT ZERO" in text
    assert "moves with input 0 (d data/dx ≈ 4)" in text


def test_a_function_returning_a_float_is_a_silent_zero():
    report = blame(lambda x: x.data ** 2, [2.0])
    assert report.kind == "silent zero" and "not a Value" in str(report)


def test_a_true_zero_gradient_is_not_a_silent_zero():
    assert blame(lambda x, y: x * 0.0 + y, [2.0, 1.0]).ok
    assert blame(lambda x: (x - 1.0) ** 2, [1.0]).ok


def test_wrong_at_a_kink_only_when_the_tie_convention_is_violated():
    one_sided = dataclasses.replace(
        ops.MAX, local=lambda a, b, out: (1.0, 0.0) if a >= b else (0.0, 1.0))
    f = lambda x, y: apply(one_sided, x, y) * 2.0  # noqa: E731
    report = blame(f, [1.0, 1.0])
    assert report.kind == "wrong at a kink only"
    text = str(report)
    assert "max(1.0, 1.0) = 1.0" in text and "expected 0.5" in text and "got 1.0" in text
    assert "one-sided derivatives 0.0 (left) and 1.0 (right)" in text
    assert blame(f, [1.0, 1.0 + 1e-9]).ok     # a near-tie is no kink for the rule
    assert blame(f, [1.0, 0.5]).ok


def test_a_rule_wrong_beside_the_kink_too_is_a_wrong_rule():
    doubled = dataclasses.replace(ops.MAX, local=lambda a, b, out: (0.5, 0.5) if a == b
                                  else ((2.0, 0.0) if a > b else (0.0, 2.0)))
    assert blame(lambda x, y: apply(doubled, x, y), [2.0, 1.0]).kind == "wrong rule"
    swapped = dataclasses.replace(ops.MAX, local=lambda a, b, out: (0.5, 0.5) if a == b
                                  else ((0.0, 1.0) if a > b else (1.0, 0.0)))
    assert blame(lambda x, y: apply(swapped, x, y), [2.0, 1.0]).kind == "silent zero"


def test_kinks_of_the_built_in_ops_are_no_false_alarm():
    for x in (0.0, -0.0, 1e-300, 1e-14):
        assert blame(lambda v: v.relu() + abs(v) + F.maximum(v, -v) + F.hard_tanh(v), [x]).ok
    assert blame(lambda a, b: F.maximum(a, b) + F.minimum(a, b), [1.0, 1.0]).ok


def test_a_user_primitive_without_a_tangent_rule_is_checked_by_differences_alone():
    softsign = ops.Primitive("softsign", "softsign", 1, lambda x: x / (1 + abs(x)),
                             lambda x, out: (ops.div(1.0, 1.0 + abs(x)),))  # square missing
    report = blame(lambda x: apply(softsign, x * 2.0), [0.7])
    assert report.kind == "wrong rule" and report.culprit.forward is None
    assert "no independent witness" in str(report)


def test_a_rule_that_raises_is_reported_not_raised():
    broken = dataclasses.replace(ops.EXP, local=lambda x, out: (1.0, 2.0))
    report = blame_graph(apply(broken, Value(1.0)))
    assert report.kind == "wrong rule" and "returned 2 partial(s) for 1 input(s)" in str(report)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_no_false_alarm_on_random_correct_expressions(data):
    prog = data.draw(expressions(n_inputs=2, max_nodes=8, ops=SMOOTH_OPS + KINKED_OPS))
    xs = data.draw(expression_inputs(prog))
    report = blame(prog, xs)
    assert report.ok, f"{prog!r} at {xs!r}:\n{report}"


def test_difference_bounds_its_own_error_and_sees_kinks():
    d = difference(math.sin, 1.0)
    assert abs(d.value - math.cos(1.0)) <= d.error and not d.kink
    k = difference(lambda t: abs(t - 1e-9), 0.0)   # a kink 1e-9 away: the step shrinks past it
    assert not k.kink and k.value == pytest.approx(-1.0) and k.shrunk > 0
    assert not difference(lambda t: math.log(t), -1.0).finite


def test_the_picture_highlights_the_wrong_node(tmp_path):
    report = blame(lambda x, y: apply(BAD_TANH, x * y) * y + x.exp(), [0.5, 2.0])
    drawing = report.picture(tmp_path / "blame.png")
    assert (tmp_path / "blame.png").read_bytes()[:4] == b"\x89PNG"
    assert "wrong rule at node #3 of 7" in drawing.source
    assert "#dc2626" in drawing.source or "red" in drawing.source.lower()
    big, bad, _ = random_dag(1000, bad_at=300, seed=3)
    picture = blame_graph(big).picture()  # a large graph: drawn around the culprit
    assert picture.source.count("->") < 200


def test_show_writes_the_picture(tmp_path):
    target = tmp_path / "shown.svg"
    blame(lambda x: apply(BAD_TANH, x), [0.5], show=str(target))
    assert target.read_text().lstrip().startswith("<?xml")


def test_assert_gradients_match_reports_user_primitives_and_leaks_with_blame():
    softsign = ops.Primitive("softsign", "softsign", 1, lambda x: x / (1 + abs(x)),
                             lambda x, out: (ops.div(1.0, (1.0 + abs(x)) ** 2),))
    assert_gradients_match(lambda x: apply(softsign, x) * x, [0.7])  # no KeyError
    wrong = dataclasses.replace(softsign, local=lambda x, out: (ops.div(1.0, 1.0 + abs(x)),))
    with pytest.raises(GradcheckError, match=r"(?s)no independent witness for softsign.*wrong rule at node #1"):
        assert_gradients_match(lambda x: apply(wrong, x) * x, [0.7])
    with pytest.raises(GradcheckError) as info:
        assert_gradients_match(lambda v: v * Value(v.data ** 2), [3.0])  # no OperandTypeError
    text = str(info.value)
    assert "forward mode cannot run f (OperandTypeError" in text
    assert "leak —" in text and "moves with input 0" in text


def test_assert_gradients_match_names_a_silent_zero():
    with pytest.raises(GradcheckError, match="SILENT ZERO"):
        assert_gradients_match(lambda x: Value(x.data * 1e-9) + 0 * x, [2.0], atol=1.0,
                               forward=False)


def test_the_fixture_fails_a_test_with_the_blame_report(gradcheck_ops):
    x = Value(0.5)
    assert gradcheck_ops.check((x * x).tanh()).ok
    with pytest.raises(GradcheckError, match="wrong rule at node"):
        gradcheck_ops.check(apply(BAD_TANH, x))
    gradcheck_ops.watch(x.exp())      # checked (and fine) at teardown


def test_watched_graphs_are_checked_at_the_end():
    checker = GraphChecker()
    checker.watch(apply(BAD_TANH, Value(0.5)))
    with pytest.raises(GradcheckError, match="tanh"):
        checker.finish()
    with pytest.raises(GradcheckError, match="leak"):
        checker.check_function(lambda x: x * Value(x.data), [2.0])


def test_kinds_and_report_type():
    assert KINDS == ("wrong rule", "wrong at a kink only", "silent zero", "leak")
    report = blame(lambda x: x * x, [3.0])
    assert isinstance(report, BlameReport) and report.ok
    assert str(report).startswith("blame of <lambda> at [3.0]: ok — 2 local derivative(s) "
                               "of 2 node(s) match their references")


def test_forward_mode_catches_an_error_too_small_for_central_differences():
    subtle = dataclasses.replace(ops.TANH, local=lambda x, out: ((1.0 - out * out) * (1 + 1e-7),))
    report = blame(lambda x: apply(subtle, x), [0.8])
    assert report.kind == "wrong rule" and report.culprit.reference == "forward mode"
    assert "(reference: forward mode)" in str(report)
