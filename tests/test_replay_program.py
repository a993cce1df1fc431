"""The replay subpackage's pieces: the typed compiled program, primitives of your own, the
guards float(v) and bool(v) make, LossStep on Replay's public surface, and no graph kept."""

from __future__ import annotations

import ast
import dataclasses
import gc
import math
import weakref
from pathlib import Path

import pytest

from autograd import Value
from autograd import ops
from autograd import replay as R
from autograd.errors import BranchChangedError, GraphError
from autograd.functional import apply
from autograd.replay import LossStep, trace
from autograd.replay import program as P
from autograd.replay import rules

_ENTRY_TYPES = {"forward": (P.MapGroup, P.FusedSums), "guard": (P.GuardGroup,),
                "local": (P.RuleLocals, P.MaxLocals), "backward": (P.Columns, P.Folds),
                "leaves": (P.LeafFolds,)}


def eager(f, xs):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, tuple(v.grad for v in leaves)


def neuron_loss(w, xs):
    total = w[0]
    for wi, x in zip(w[1:], xs):
        total = total + wi * x
    return (total.tanh() - 0.5) ** 2 + w[0].sigmoid() * w[1].exp()


# --- the program is typed ----------------------------------------------------------------------

def test_every_entry_is_a_typed_record_of_its_phase():
    w = [Value(0.1 * i - 0.2) for i in range(7)]
    step = trace(lambda w: neuron_loss(w, [1.0, -2.0, 0.5, 3.0, -1.0, 2.0]), w)
    program = step.program
    phases = [phase for phase, _ in program.entries()]
    assert phases == sorted(phases, key=list(_ENTRY_TYPES).index)  # run order
    for phase, entry in program.entries():
        assert isinstance(entry, _ENTRY_TYPES[phase])
        assert not isinstance(entry, tuple)
        assert not hasattr(entry, "__dict__")  # slotted
        with pytest.raises(AttributeError):  # frozen
            setattr(entry, dataclasses.fields(entry)[0].name, None)
    kinds = {type(entry).__name__ for _, entry in program.entries()}
    assert {"FusedSums", "MapGroup", "RuleLocals", "LeafFolds"} <= kinds
    assert step.stats == program.stats and step.stats["nodes"] == len(program.node_slots)
    assert repr(program).startswith("<Program: ") and "data and" in repr(program)
    assert len(program.listing().splitlines()) == len(program.entries())


def test_entry_reprs_name_the_op_and_the_slots_written():
    step = trace(lambda x, y: (x * y).tanh() + y, Value(0.5), Value(2.0))
    lines = step.program.listing().splitlines()
    assert lines[0] == "forward  MapGroup(mul, data[3:4])"
    assert lines[1] == "forward  MapGroup(tanh, data[4:5])"
    assert any(line.startswith("local    RuleLocals(tanh, data[") for line in lines)
    assert lines[-1] == "leaves   LeafFolds(inputs [0, 1])"


# --- generic over primitive records ------------------------------------------------------------

_SOFTSIGN = ops.Primitive("softsign", "softsign", 1, lambda x: x / (1.0 + abs(x)),
                          lambda x, out: (1.0 / (1.0 + abs(x)) ** 2,))
_HYPOT = ops.Primitive("hypot", "hypot", 2, math.hypot, lambda a, b, out: (a / out, b / out))


@pytest.mark.parametrize("xs", [(3.0, 4.0), (-1.5, 0.25), (0.0, 2.0), (1e-3, -7.0)])
def test_a_primitive_of_your_own_replays_through_its_record(xs):
    f = lambda x, y: apply(_SOFTSIGN, apply(_HYPOT, x, y) * x) + apply(_HYPOT, y, x)
    step = trace(f, Value(1.0), Value(1.0))
    assert step(*xs) == eager(f, xs)


def test_two_records_with_one_name_are_never_run_as_one_group():
    twice = ops.Primitive("mine", "mine", 1, lambda x: 2.0 * x, lambda x, out: (2.0,))
    thrice = ops.Primitive("mine", "mine", 1, lambda x: 3.0 * x, lambda x, out: (3.0,))
    f = lambda x: apply(twice, x) * apply(thrice, x)
    step = trace(f, Value(1.0))
    assert step(2.0) == eager(f, [2.0]) == (24.0, (24.0,))


# --- float(v) and bool(v) are guarded ----------------------------------------------------------

def test_float_of_a_value_is_a_guard_not_an_unchecked_constant():
    step = trace(lambda x, y: x * float(y), Value(2.0), Value(3.0, label="y"))
    assert step(5.0, 3.0) == (15.0, (3.0, 0.0))
    with pytest.raises(BranchChangedError,
                       match=r"test_replay_program.*y == b: 3\.0 == 3\.0 -> True"):
        step(5.0, 4.0)


def test_truth_of_a_value_is_a_guard():
    step = trace(lambda x: x * 2.0 if x else x - 1.0, Value(1.5))
    assert step(4.0) == (8.0, (2.0,))
    with pytest.raises(BranchChangedError, match="!="):
        step(0.0)


# --- LossStep on Replay's public surface -------------------------------------------------------

def test_loss_step_reads_no_private_attribute_of_another_object():
    source = Path(R.loss.__file__).read_text(encoding="utf-8")
    private = [node.attr for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Attribute) and node.attr.startswith("_")
               and not node.attr.startswith("__")
               and not (isinstance(node.value, ast.Name) and node.value.id == "self")]
    assert private == []


def test_loss_step_feeds_each_batch_to_the_replays_input_leaves():
    w = [Value(0.5), Value(-0.25)]
    loss = lambda w, batch: sum((w[0] * x + w[1] - t) ** 2 for x, t in batch)
    step = LossStep(loss, w, [(1.0, 2.0), (3.0, 0.5)], parameters=w)
    for batch in ([(2.0, 1.0), (-1.0, 0.0)], [(0.5, 0.5), (4.0, -2.0)]):
        for p in w:
            p.grad = 0.0
        value = step(batch)
        fed = [v.data for v in step.replay.inputs[len(w):]]
        assert fed == [x for pair in batch for x in pair]
        leaves = [Value(p.data) for p in w]
        want = loss(leaves, batch)
        want.backward()
        assert value == want.data and [p.grad for p in w] == [v.grad for v in leaves]


def test_set_inputs_checks_the_structure():
    step = trace(lambda xs: xs[0] * xs[1], [Value(1.0), Value(2.0)])
    with pytest.raises(GraphError, match="traced structure"):
        step.set_inputs([1.0, 2.0, 3.0])
    step.set_inputs([3.0, 5.0])
    assert step.run() == 15.0 and [v.grad for v in step.inputs] == [5.0, 3.0]


# --- no graph kept; the fold-path switch -------------------------------------------------------

def test_the_compiled_step_keeps_no_node_of_the_graph():
    x = Value(2.0)
    built = []

    def f(x):
        out = (x * 3.0).tanh() + x * x
        built.append(weakref.ref(out))
        return out, out * 2.0 if out > 0 else out
    step = trace(f, x)
    gc.collect()
    assert built[0]() is None
    assert step.aux_values() == (step(2.0)[0] * 2.0,)


def test_the_package_fold_switch_sets_the_one_the_interpreter_reads():
    previous = rules.SEQUENTIAL_SUM
    try:
        R._SEQUENTIAL_SUM = False
        assert rules.SEQUENTIAL_SUM is False
        step = trace(lambda *xs: sum(x * x for x in xs), *[Value(0.1 * i) for i in range(9)])
        assert step(*[0.3] * 9) == eager(lambda *xs: sum(x * x for x in xs), [0.3] * 9)
    finally:
        R._SEQUENTIAL_SUM = previous
    assert rules.SEQUENTIAL_SUM is previous
