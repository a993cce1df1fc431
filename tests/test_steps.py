"""Stepping: backward_steps tells the seeds' story and IS backward() (one walk)."""

from hypothesis import given, settings, strategies as st

from autograd import Value
from autograd.steps import Step, backward_steps
from proof_helpers import worked_example

# A small random DAG: leaves, then ops picking earlier nodes (so subexpressions are shared).
_OPS = {
    "add": lambda a, b: a + b, "mul": lambda a, b: a * b, "sub": lambda a, b: a - b,
    "max": lambda a, b: a.maximum(b), "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(), "relu": lambda a, b: a.relu(),
    "softplus": lambda a, b: a.softplus(), "addc": lambda a, b: a + 1.5,
    "abs": lambda a, b: abs(a),
}

programs = st.tuples(
    st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4),
    st.lists(st.tuples(st.sampled_from(sorted(_OPS)), st.integers(0, 10**6),
                       st.integers(0, 10**6)), min_size=1, max_size=12),
)


def build(program):
    """(leaves, output) of a random DAG program."""
    data, steps = program
    nodes = [Value(x, label=f"x{i}") for i, x in enumerate(data)]
    leaves = list(nodes)
    for name, i, j in steps:
        nodes.append(_OPS[name](nodes[i % len(nodes)], nodes[j % len(nodes)]))
    return leaves, nodes[-1]


def test_printed_steps_tell_the_worked_example_story():
    *_, e = worked_example()
    assert [str(s) for s in e.backward_steps()] == [
        "e = c * d: starts with 1; sends 1·2 = 2 to c, 1·3 = 3 to d",
        "d = b + 1: got 3; sends 3·1 = 3 to b",
        "c = a + b: got 2; sends 2·1 = 2 to a, 2·1 = 2 to b (b now holds 5)",
        "b: input, holds 5",
        "a: input, holds 2",
    ]


def test_a_step_records_node_upstream_local_sent_and_totals():
    a, b, c, d, e = worked_example()
    first = next(iter(backward_steps(e)))
    assert isinstance(first, Step)
    assert (first.node, first.upstream, first.local, first.sent, first.totals, first.is_root) \
        == (e, 1.0, (2.0, 3.0), (2.0, 3.0), (2.0, 3.0), True)
    assert first.parents == (c, d)


def test_constants_receive_nothing():
    *_, d, _ = worked_example()
    (step, *_) = backward_steps(d)
    assert step.sent[1] is None and step.totals[1] is None
    assert str(step) == "d = b + 1: starts with 1; sends 1·1 = 1 to b"


def test_unlabelled_nodes_are_named_by_topological_position_not_id():
    x = Value(3.0)
    y = x * x
    texts = [str(s) for s in backward_steps(y)]
    assert texts == ["#1 = #0 * #0: starts with 1; sends 1·3 = 3 to #0, 1·3 = 3 to #0 "
                     "(#0 now holds 6)", "#0: input, holds 6"]


def test_snapshots_show_running_totals_and_none_where_not_reached():
    a, b, c, d, e = worked_example()
    walk = backward_steps(e)
    next(walk)
    snap = walk.snapshot()
    assert (snap.grad(c), snap.grad(d), snap.grad(b)) == (2.0, 3.0, None)
    assert not snap.reached(b) and snap.reached(c)
    next(walk)
    assert walk.snapshot().grad(b) == 3.0


def test_a_seed_scales_every_step():
    a, b, c, d, e = worked_example()
    for _ in backward_steps(e, seed=2.0):
        pass
    assert (a.grad, b.grad) == (4.0, 10.0)


def test_derived_op_output_names_its_op():
    x = Value(-1.0, label="x")
    y = x.relu(); y.label = "y"
    assert str(next(iter(y.backward_steps()))) == \
        "y = max(x, 0) [relu]: starts with 1; sends 1·0 = 0 to x"


@given(programs)
def test_stepping_to_the_end_gives_exactly_the_gradients_of_backward(program):
    leaves, out = build(program)
    out.backward()
    expected = [x.grad for x in leaves]
    out.zero_grad()
    for _ in out.backward_steps():
        pass
    assert [x.grad for x in leaves] == expected


@given(programs)
def test_what_a_node_receives_adds_up_to_its_gradient(program):
    leaves, out = build(program)
    received = {}
    for step in out.backward_steps():
        for parent, sent in zip(step.node.parents, step.sent):
            if sent is not None:
                received[id(parent)] = received.get(id(parent), 0.0) + sent
    for x in leaves:
        assert x.grad == received.get(id(x), 0.0)


@given(programs)
def test_every_node_is_stepped_once_after_all_its_consumers(program):
    leaves, out = build(program)
    seen = {}
    for step in out.backward_steps():
        assert id(step.node) not in seen
        seen[id(step.node)] = True
        for parent in step.node.parents:
            assert id(parent) not in seen  # a parent comes after every node that uses it


# --- the stepper object --------------------------------------------------------------------

import pytest  # noqa: E402

from autograd.steps import StaleStepperError, Stepper, forward_steps  # noqa: E402


def test_a_stepper_has_a_length_a_position_and_a_current_step():
    *_, e = worked_example()
    s = e.backward_steps()
    assert isinstance(s, Stepper) and s.kind == "backward"
    assert (len(s), s.position, s.current) == (5, 0, None)
    step = s.next()
    assert (s.position, s.current) == (1, step)
    assert s.back() is None and s.position == 0


def test_next_returns_none_at_the_end_and_iteration_stops():
    *_, e = worked_example()
    s = e.backward_steps()
    assert len(list(s)) == 5
    assert s.next() is None and s.position == 5
    with pytest.raises(StopIteration):
        next(s)


def test_goto_outside_the_steps_is_an_index_error():
    *_, e = worked_example()
    with pytest.raises(IndexError, match="from 0 to 5"):
        e.backward_steps().goto(6)


def test_a_step_repr_says_where_it_stands():
    *_, e = worked_example()
    s = e.backward_steps()
    assert repr(s.goto(2).current) == "step 2 of 5: d = b + 1: got 3; sends 3·1 = 3 to b"


def test_the_stepper_repr_shows_position_current_line_and_table():
    *_, e = worked_example()
    text = repr(e.backward_steps().goto(2))
    assert text.startswith("backward stepper at step 2 of 5\n"
                           "  last: d = b + 1: got 3; sends 3·1 = 3 to b\n")
    assert "b     input        1     3" in text and "a     input        2     ·" in text
    assert "<table" in e.backward_steps().snapshot()._repr_html_()


def test_a_backward_stepper_shows_as_the_isolated_interactive_page_in_a_notebook():
    *_, e = worked_example()
    page = e.backward_steps()._repr_html_()
    assert page.startswith("<iframe") and 'sandbox="allow-scripts"' in page
    assert "<table" in e.forward_steps()._repr_html_()  # forward steps: the table


def test_without_graphviz_a_stepper_shows_as_its_table(monkeypatch):
    from autograd import stepper
    from autograd.errors import GraphvizNotFoundError

    def missing(*args, **kwargs):
        raise GraphvizNotFoundError("no dot")
    monkeypatch.setattr(stepper.Stepper, "notebook_page", staticmethod(missing))
    *_, e = worked_example()
    assert e.backward_steps()._repr_html_().startswith("<div><p>backward step 0 of 5")


def test_an_abandoned_stepper_leaves_every_grad_as_it_was():
    a, b, c, d, e = worked_example()
    s = e.backward_steps()
    s.goto(3)
    assert [n.grad for n in (a, b, c, d, e)] == [0.0] * 5
    e.backward()  # a later backward is a clean single pass
    assert (a.grad, b.grad) == (2.0, 5.0)


def test_reaching_the_end_writes_exactly_what_backward_writes():
    a, b, c, d, e = worked_example()
    s = e.backward_steps()
    s.goto(5)
    assert [n.grad for n in (a, b, c, d, e)] == [2.0, 5.0, 2.0, 3.0, 1.0]
    s.back(); s.goto(5)  # reaching the end again does not add a second time
    assert (a.grad, b.grad) == (2.0, 5.0)


def test_backward_while_a_stepper_is_open_makes_it_stale_at_the_end():
    a, b, c, d, e = worked_example()
    s = e.backward_steps()
    s.goto(2)
    e.backward()
    assert s.goto(4).snapshot().grad(b) == 5.0  # replaying what was recorded still works
    with pytest.raises(StaleStepperError, match="changed from 0 to"):
        s.goto(5)
    assert (a.grad, b.grad) == (2.0, 5.0)  # the graph keeps the one backward, not mixed


def test_a_leaf_says_what_it_held_before_this_pass():
    a, b, c, d, e = worked_example()
    e.backward()
    texts = [str(step) for step in e.backward_steps()]
    assert texts[-2:] == ["b: input, held 5 before this pass, now 10",
                          "a: input, held 2 before this pass, now 4"]


def test_forward_steps_fill_in_values_in_topological_order():
    *_, e = worked_example()
    s = e.forward_steps()
    assert s.kind == "forward" and len(s) == 6
    assert [str(step) for step in s] == [
        "a = 2 (input)", "b = 1 (input)", "c = a + b = 2 + 1 = 3", "1: constant",
        "d = b + 1 = 1 + 1 = 2", "e = c * d = 3 * 2 = 6"]


def test_forward_snapshot_has_no_data_until_computed():
    a, b, c, d, e = worked_example()
    snap = forward_steps(e).goto(3).snapshot()
    assert (snap.data(c), snap.data(d), snap.reached(e)) == (3.0, None, False)


def _seen(stepper):
    snap = stepper.snapshot()
    return [(snap.grad(n), snap.data(n)) for n in stepper.order]


moves = st.lists(st.one_of(st.just("next"), st.just("back"), st.integers(-1, 40)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(programs, moves, st.booleans())
def test_any_moves_show_the_numbers_of_stepping_there_from_the_start(program, ops, forward):
    leaves, out = build(program)
    s = out.forward_steps() if forward else out.backward_steps()
    for move in ops:
        if move == "next":
            s.next()
        elif move == "back":
            s.back()
        else:
            s.goto(move % (len(s) + 1))
        _, twin = build(program)  # the same graph afresh: one stepper per graph
        fresh = twin.forward_steps() if forward else twin.backward_steps()
        for _ in range(s.position):
            fresh.next()
        assert _seen(s) == _seen(fresh)
        assert s.current is None or repr(s.current) == repr(fresh.current)


@settings(max_examples=60, deadline=None)
@given(programs)
def test_the_final_snapshot_and_grads_equal_backward(program):
    leaves, out = build(program)
    s = out.backward_steps()
    s.goto(len(s))
    final = [x.grad for x in leaves]
    assert [s.snapshot().grad(x) or 0.0 for x in leaves] == final
    for x in leaves:
        x.grad = 0.0
    out.zero_grad()
    out.backward()
    assert [x.grad for x in leaves] == final


def test_a_big_stepper_repr_shows_only_the_last_steps_nodes():
    x = Value(0.5, label="x")
    y = x
    for _ in range(30):
        y = y * 1.5
    y.label = "y"
    s = y.backward_steps()
    text = repr(s.goto(1))
    assert "(showing the last step's nodes: 3 of 61 nodes; print(s.snapshot()) shows them all)" \
        in text
    assert len(text.splitlines()) == 7
    assert "showing every input: 1 of 61" in repr(s.goto(len(s)))


def test_a_graph_that_needs_no_gradient_has_an_empty_backward_stepper():
    y = Value(2.0, requires_grad=False) * 3
    s = y.backward_steps()
    assert (len(s), s.next(), s.current, s.snapshot().grad(y)) == (0, None, None, None)
    assert len(y.forward_steps()) == 3
