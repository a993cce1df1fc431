"""Stepping: backward_steps tells the seeds' story and IS backward() (one walk)."""

from hypothesis import given, strategies as st

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


def test_steps_are_lazy_and_show_running_totals():
    a, b, c, d, e = worked_example()
    walk = backward_steps(e)
    next(walk)
    assert (c.grad, d.grad, b.grad) == (2.0, 3.0, 0.0)  # b has not been reached yet
    next(walk)
    assert b.grad == 3.0


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
