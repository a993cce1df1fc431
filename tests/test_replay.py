"""Replay (autograd.replay): a traced step re-run over flat arrays equals the eager engine
bit for bit — same floating-point operations in the same order — for random expression DAGs
and for MLPs, across many re-runs with new inputs; changed Python branches are caught."""

from __future__ import annotations

import math
import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, backward_steps
from autograd import functional as F
from autograd import ops
from autograd.check import gradcheck
from autograd.errors import GraphError, PathgradError
from autograd.replay import BranchChangedError, LossStep, Replay, trace
from autograd import replay as R
from autograd.testing import KINKED_OPS, SMOOTH_OPS, expressions

INF, NAN = math.inf, math.nan


def bits(x: float) -> bytes:
    """The exact bit pattern, with every nan alike (its payload is not a result)."""
    return b"nan" if x != x else struct.pack("<d", x)


def same(xs, ys) -> bool:
    return len(xs) == len(ys) and all(bits(a) == bits(b) for a, b in zip(xs, ys))


def eager(f, xs, needs=None):
    """Value and input gradients from a fresh eager graph."""
    needs = needs or [True] * len(xs)
    leaves = [Value(x, requires_grad=r) for x, r in zip(xs, needs)]
    out = f(*leaves)
    out.backward()
    return out.data, [leaf.grad if r else None for leaf, r in zip(leaves, needs)]


any_float = st.one_of(
    st.floats(-3.0, 3.0),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 1e-300, 700.0, -700.0]))


# --- exactness -------------------------------------------------------------------------------

@given(expressions(n_inputs=3, max_nodes=14, ops=SMOOTH_OPS + KINKED_OPS),
       st.lists(st.lists(any_float, min_size=3, max_size=3), min_size=2, max_size=6),
       st.lists(st.booleans(), min_size=3, max_size=3))
def test_random_dags_replay_bit_for_bit_like_eager(expr, runs, needs):
    first = runs[0]
    leaves = [Value(x, requires_grad=r) for x, r in zip(first, needs)]
    step = trace(expr, *leaves)
    for xs in runs:
        value, grads = step(*xs)
        want_value, want_grads = eager(expr, xs, needs)
        assert bits(value) == bits(want_value)
        assert [g is None for g in grads] == [g is None for g in want_grads]
        assert same([g for g in grads if g is not None],
                    [g for g in want_grads if g is not None])


_WIDE_OPS = (lambda a, b: a * b, lambda a, b: a + b, lambda a, b: F.maximum(a, b),
             lambda a, b: a - b, lambda a, b: (a * 0.5).tanh() * b, lambda a, b: a / (b * b + 1.0))


@st.composite
def wide_programs(draw):
    """Straight-line programs whose inputs and early nodes feed many later nodes, so nodes
    with many contributions (the fold paths) and long add chains appear."""
    n = draw(st.integers(10, 60))
    program = []
    for i in range(n):
        pool = 4 + i
        pick = st.one_of(st.integers(0, 3), st.integers(0, pool - 1))
        program.append((draw(st.integers(0, len(_WIDE_OPS) - 1)), draw(pick), draw(pick)))
    return program


def run_program(program, *xs):
    slots = list(xs)
    for op, i, j in program:
        slots.append(_WIDE_OPS[op](slots[i], slots[j]))
    return sum(slots[4:], slots[-1])


@given(wide_programs(), st.lists(st.lists(st.floats(-2, 2), min_size=4, max_size=4),
                                 min_size=2, max_size=4), st.booleans())
@settings(max_examples=30)
def test_wide_shared_dags_replay_bit_for_bit_on_both_fold_paths(program, runs, reduce_path):
    f = lambda *xs: run_program(program, *xs)
    step = trace(f, *[Value(x) for x in runs[0]])
    previous = R._SEQUENTIAL_SUM
    R._SEQUENTIAL_SUM = previous and not reduce_path  # the Python 3.12+ fold, on demand
    try:
        for xs in runs:
            value, grads = step(*xs)
            want_value, want_grads = eager(f, xs)
            assert bits(value) == bits(want_value) and same(grads, want_grads)
    finally:
        R._SEQUENTIAL_SUM = previous


@given(st.lists(st.tuples(st.floats(-2, 2), st.floats(-2, 2)), min_size=1, max_size=6),
       st.integers(0, 2 ** 32 - 1))
@settings(max_examples=25)
def test_mlp_training_with_replay_matches_eager_training_bit_for_bit(points, seed):
    def make():
        rng = random.Random(seed)
        return [[[Value(rng.uniform(-1, 1)) for _ in range(n_in)] + [Value(0.0)]
                 for _ in range(n_out)] for n_in, n_out in ((2, 5), (5, 4), (4, 1))]

    def forward(model, x):
        for depth, layer in enumerate(model):
            x = [sum((w * xi for w, xi in zip(neuron[:-1], x)), neuron[-1]) for neuron in layer]
            x = x if depth == len(model) - 1 else [v.relu() for v in x]
        return x[0]

    def loss_fn(model, batch):
        xs, ys = batch
        losses = [(1 + -y * forward(model, x)).relu() for x, y in zip(xs, ys)]
        params = [p for layer in model for neuron in layer for p in neuron]
        return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in params)

    xs = [list(p) for p in points]
    ys = [1.0 if a * b > 0 else -1.0 for a, b in points]
    models = make(), make()
    params = [[p for layer in m for neuron in layer for p in neuron] for m in models]
    step = LossStep(loss_fn, models[1], (xs, ys), parameters=params[1])
    for k in range(8):
        lr = 0.5 / (1 + k)
        for p in params[0]:
            p.grad = 0.0
        loss = loss_fn(models[0], (xs, ys))
        loss.backward()
        for p in params[1]:
            p.grad = 0.0
        replayed = step()
        assert bits(replayed) == bits(loss.data)
        assert same([p.grad for p in params[1]], [p.grad for p in params[0]])
        for group in params:
            for p in group:
                p.data -= lr * p.grad
    assert same([p.data for p in params[1]], [p.data for p in params[0]])


def test_nn_mlp_loss_step_matches_eager_with_a_new_batch_each_step():
    nn = pytest.importorskip("nn")
    rng = random.Random(0)
    model_e = nn.MLP(2, [8, 8, 1], seed=3)
    model_r = nn.MLP(2, [8, 8, 1], seed=3)

    def loss_fn(model, batch):
        xs, ys = batch
        total = 0.0
        for x, y in zip(xs, ys):
            total = total + (model(x)[0] - y) ** 2
        return total * (1.0 / len(xs))

    def batch():
        xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(6)]
        return xs, [a - 2 * b for a, b in xs]

    step = LossStep(loss_fn, model_r, batch())
    for k in range(6):
        b = batch()
        model_e.zero_grad()
        model_r.zero_grad()
        loss = loss_fn(model_e, b)
        loss.backward()
        assert bits(step(b)) == bits(loss.data)
        assert same([p.grad for p in model_r.parameters()], [p.grad for p in model_e.parameters()])
        for model in (model_e, model_r):
            for p in model.parameters():
                p.data -= 0.1 * p.grad
    assert step.retraces == 0


def test_run_accumulates_into_grad_exactly_like_repeated_backward():
    a, b = Value(0.3), Value(-1.7)
    f = lambda a, b: (a * b).tanh() + a.exp() * b
    step = trace(f, a, b)
    ea, eb = Value(0.3), Value(-1.7)
    for _ in range(3):
        f(ea, eb).backward()
        assert bits(step.run()) == bits(f(ea, eb).data)
    assert same([a.grad, b.grad], [ea.grad, eb.grad])


def test_sign_of_zero_gradients_match_eager():
    # relu kills the gradient: contributions are -0.0; the eager fold from +0.0 gives +0.0
    f = lambda x, w: (x * w).relu() * -1.0 + w
    x, w = Value(-2.0), Value(3.0)
    step = trace(f, x, w)
    value, grads = step(-2.0, 3.0)
    assert same([value, *grads], [eager(f, [-2.0, 3.0])[0], *eager(f, [-2.0, 3.0])[1]])
    assert math.copysign(1.0, grads[0]) == 1.0


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_max_is_data_not_a_branch_ties_included(a, b):
    f = lambda x, y: F.maximum(x, y) * y + F.relu(x - y)
    step = trace(f, Value(5.0), Value(-5.0))  # traced far from a tie
    for xs in ([a, b], [a, a], [b, b], [0.0, -0.0]):
        value, grads = step(*xs)
        want_value, want_grads = eager(f, xs)
        assert bits(value) == bits(want_value) and same(grads, want_grads)
    assert list(step(1.0, 1.0)[1]) == eager(f, [1.0, 1.0])[1] == [1.0, 1.0]  # ½/½ splits


def test_output_that_is_an_input_and_constant_outputs():
    x = Value(2.0)
    step = trace(lambda x: x, x)
    assert step(5.0) == (5.0, (1.0,))
    c = Value(1.0, requires_grad=False)
    step = trace(lambda c: c * 3.0, c)
    assert step(2.0) == (6.0, (None,))


def test_unused_inputs_get_zero_and_nested_arguments_keep_their_order():
    p = {"w": [Value(1.0), Value(2.0)], "b": Value(0.5)}
    unused = Value(7.0)
    step = trace(lambda p, u: p["w"][0] * p["w"][1] + p["b"], p, unused)
    assert step({"w": [3.0, 4.0], "b": 1.0}, 0.0) == (13.0, (4.0, 3.0, 1.0, 0.0))


# --- the batched forms are the table's rules ---------------------------------------------------

special = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, INF, -INF, NAN, 1.0, -1.0]))


@given(special, special)
def test_batched_max_rule_equals_the_table_row(a, b):
    first, second = R._MAX_LOCAL
    key = R._sign_key(a, b)
    assert same([first[key], second[key]], list(ops.MAX.local(a, b, ops.MAX.forward(a, b))))
    if b == b and R._max_forward_is_builtin(b):  # replay uses the builtin only then
        assert bits(max(a, b)) == bits(ops.MAX.forward(a, b))


@given(special, special)
def test_add_and_mul_specialisations_equal_the_table_rows(a, b):
    assert R._UNIT_ADD and R._SWAP_MUL and R._MAX_LOCAL is not None
    assert same(list(ops.ADD.local(a, b, a + b)), [1.0, 1.0])
    assert same(list(ops.MUL.local(a, b, a * b)), [b, a])


def test_a_row_whose_rule_changes_is_not_specialised():
    odd = ops.Primitive("max", "max", 2, ops.f_max, lambda a, b, out: (1.0, 0.0))
    assert not R._rule_matches(odd, lambda a, b: (R._MAX_LOCAL[0][R._sign_key(a, b)],
                                                  R._MAX_LOCAL[1][R._sign_key(a, b)]))


def test_ops_without_a_batched_form_use_the_row_rule():
    f = lambda x, y: (x / y).log1p() + (x ** 3.0).sigmoid() + F.logaddexp(x, y) + x.expm1()
    step = trace(f, Value(0.5), Value(2.0))
    for xs in ([0.5, 2.0], [1.5, -0.75], [0.0, 1e-300], [-3.0, 4.0]):
        value, grads = step(*xs)
        want_value, want_grads = eager(f, xs)
        assert bits(value) == bits(want_value) and same(grads, want_grads)


# --- branch guards -------------------------------------------------------------------------

def branchy(x, y):
    if x > 0:
        return x * y
    return x + y


def test_replay_on_the_traced_branch_is_exact():
    step = trace(branchy, Value(2.0), Value(3.0))
    assert step(5.0, -1.0) == (-5.0, (-1.0, 5.0))


def test_a_changed_branch_raises_naming_the_comparison_and_where():
    step = trace(branchy, Value(2.0), Value(3.0))
    with pytest.raises(BranchChangedError) as info:
        step(-1.0, 3.0)
    message = str(info.value)
    assert "2.0 > 0.0 -> True" in message and "-1.0 > 0.0 -> False" in message
    assert "test_replay.py" in message and "trace again" in message
    assert isinstance(info.value, PathgradError) and isinstance(info.value, RuntimeError)


def test_guards_on_nodes_outside_the_output_graph_and_reflected_comparisons():
    def f(x):
        h = x * x
        return x * 2.0 if 1.0 < h else x * 3.0   # reflected: h.__gt__(1.0)
    step = trace(f, Value(2.0))
    assert step(-3.0) == (-6.0, (2.0,))
    with pytest.raises(BranchChangedError):
        step(0.5)


def test_python_max_on_values_is_a_branch_and_is_guarded():
    step = trace(lambda a, b: max(a, b) * 2.0, Value(1.0), Value(2.0))
    assert step(0.0, 5.0) == (10.0, (0.0, 2.0))
    with pytest.raises(BranchChangedError):
        step(5.0, 0.0)


def test_a_failed_guard_leaves_gradients_untouched():
    x = Value(2.0)
    step = trace(lambda x: x * x if x > 0 else -x, x)
    step.run()
    x.data = -1.0
    with pytest.raises(BranchChangedError):
        step.run()
    assert x.grad == 4.0


def test_loss_step_retraces_on_a_changed_branch_when_asked():
    w = [Value(1.0)]
    loss = lambda w, batch: (w[0] * batch[0]) if batch[0] > 0 else (w[0] - batch[0])
    step = LossStep(loss, w, [2.0], parameters=w, retrace=True)
    assert step() == 2.0 and w[0].grad == 2.0
    w[0].grad = 0.0
    assert step([-3.0]) == 4.0 and w[0].grad == 1.0
    assert step.retraces == 1
    strict = LossStep(loss, w, [2.0], parameters=w)
    with pytest.raises(BranchChangedError):
        strict([-3.0])


def test_loss_step_bakes_in_what_is_not_fed_and_reports_aux_values():
    w = [Value(0.5)]

    def loss(w, batch):
        xs, labels = batch
        outs = [w[0] * x for x in xs]
        total = sum((o if y == 1 else -o for o, y in zip(outs, labels)), 0.0)
        return total, outs
    step = LossStep(loss, w, ([1.0, 2.0], [1, 0]), parameters=w, fed=(0,))
    assert step() == -0.5 and step.aux == ([0.5, 1.0],)
    assert step(([3.0, 1.0], [1, 0])) == 1.0
    with pytest.raises(GraphError, match="baked into the step"):
        step(([3.0, 1.0], [0, 0]))


# --- tools on a traced step ----------------------------------------------------------------

def test_to_graph_writes_the_last_replay_so_backward_steps_match_eager():
    f = lambda a, b: (a + b) * (b + 1)
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    step = trace(f, a, b)
    step(3.0, -2.0)
    out = step.to_graph()
    assert (out.data, a.data, a.grad, b.grad) == (-1.0, 3.0, -1.0, 0.0)
    ea, eb = Value(3.0, label="a"), Value(-2.0, label="b")
    a.grad = b.grad = 0.0
    traced = [(s.node.data, s.upstream, s.local, s.sent) for s in backward_steps(out)]
    fresh = [(s.node.data, s.upstream, s.local, s.sent) for s in backward_steps(f(ea, eb))]
    assert traced == fresh
    assert (a.grad, b.grad) == (ea.grad, eb.grad)


def test_to_graph_renders_like_the_eager_graph():
    render = pytest.importorskip("autograd.render")
    f = lambda a, b: (a * b + a).relu()
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    step = trace(f, a, b)
    step(-1.0, 4.0)
    ea, eb = Value(-1.0, label="a"), Value(4.0, label="b")
    e = f(ea, eb)
    e.backward()
    assert render.to_dot(step.to_graph()).source == render.to_dot(e).source


def test_gradcheck_passes_on_a_traced_step():
    f = lambda x, y: (x * y).tanh() + (x / y).exp()
    step = trace(f, Value(0.4), Value(1.3))
    assert gradcheck(step.as_function(), [0.4, 1.3]).ok
    assert gradcheck(step.as_function(), [-0.9, 2.0]).ok


# --- bad input -----------------------------------------------------------------------------

def test_arguments_must_be_distinct_leaves_and_the_result_a_value():
    x = Value(1.0)
    with pytest.raises(GraphError, match="not a leaf"):
        trace(lambda y: y * 2, x * 2)
    with pytest.raises(GraphError, match="twice"):
        trace(lambda a, b: a * b, x, x)
    with pytest.raises(GraphError, match="must return a Value"):
        trace(lambda a: 3.0, x)


def test_replaying_with_another_structure_is_refused_clearly():
    step = trace(lambda xs: xs[0] * xs[1], [Value(1.0), Value(2.0)])
    with pytest.raises(GraphError, match="traced structure"):
        step([1.0, 2.0, 3.0])
    with pytest.raises(GraphError, match="number or a Value"):
        step(["a", 2.0])
    assert isinstance(step, Replay) and "2 inputs" in repr(step)


def test_fused_sums_stay_exact_when_partial_sums_are_compared_or_returned():
    def f(ws, xs):
        partial = ws[0] * xs[0]
        partials = []
        for w, x in zip(ws[1:], xs[1:]):
            partial = partial + w * x
            partials.append(partial)
        scale = 2.0 if partials[2] > 0 else 3.0     # a branch on a partial sum
        return partial * scale, partials[1]          # and a partial sum as an aux value
    ws = [Value(float(i) - 2.5) for i in range(8)]
    xs = [Value(0.25 * i, requires_grad=False) for i in range(8)]
    step = trace(f, ws, xs)
    rng = random.Random(5)
    for _ in range(5):
        new_ws = [rng.uniform(-1, 1) for _ in ws]
        new_xs = [rng.uniform(-1, 1) for _ in xs]
        leaves = [Value(w) for w in new_ws]
        out, partial = f(leaves, [Value(x, requires_grad=False) for x in new_xs])
        out.backward()
        try:
            value, grads = step(new_ws, new_xs)
        except BranchChangedError:
            continue
        assert bits(value) == bits(out.data) and same(grads[:8], [v.grad for v in leaves])
        assert step.aux_values() == (partial.data,)


def test_gradient_hooks_are_refused_rather_than_skipped():
    x = Value(2.0)

    def f(x):
        y = x * x
        y.register_hook(lambda g: g * 10.0)
        return y + x
    with pytest.raises(GraphError, match="hook"):
        trace(f, x)
    step = trace(lambda x: x * x, x)
    x.register_hook(lambda g: 0.0)
    with pytest.raises(GraphError, match="hook"):
        step.run()


@pytest.mark.parametrize("loss", ["hinge", "bce_with_logits"])
@pytest.mark.parametrize("batch_size", [None, 16])
def test_nn_trainer_with_replayed_gradients_trains_bit_for_bit_like_eager(batch_size, loss):
    """Labels are fed as data, so shuffled mini-batches of 16, 16 and 8 compile twice (one
    step per batch shape), not once per batch."""
    nn = pytest.importorskip("nn")
    X, y = nn.data.two_moons(40, seed=1)
    histories, params, steps = [], [], None
    for use_replay in (False, True):
        model = nn.MLP(2, [8, 8, 1], seed=2)
        trainer = nn.Trainer(model, loss, nn.optim.SGD(model.parameters(), lr=0.1),
                             l2=1e-3, batch_size=batch_size, seed=0, progress=False,
                             replay=use_replay)
        histories.append(trainer.fit(X, y, epochs=4))
        params.append([p.data for p in model.parameters()])
        if use_replay:
            steps = trainer._replay_step
    assert histories[0]["loss"] == histories[1]["loss"]
    assert same(params[1], params[0])
    assert steps.retraces == (0 if batch_size is None else 1)


def test_loss_step_keeps_one_compiled_step_per_batch_shape():
    w = [Value(0.5), Value(2.0)]
    loss = lambda w, xs: sum((w[0] * x + w[1] for x in xs), 0.0)
    step = LossStep(loss, w, [1.0, 2.0, 3.0], parameters=w, retrace=True)
    for _ in range(3):
        for batch in ([1.0, 2.0, 3.0], [4.0, 5.0]):
            w[0].grad = w[1].grad = 0.0
            assert step(batch) == sum(0.5 * x + 2.0 for x in batch)
            assert [p.grad for p in w] == [sum(batch), float(len(batch))]
    assert step.retraces == 1
