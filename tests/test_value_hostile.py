"""Bad arguments to Value's own methods fail at once; deep graphs copy at any depth; graphs
refuse pickle with a clear error (issue 15, smaller items)."""

import copy
import pickle

import pytest

from autograd import Value
from autograd.errors import GraphError, OperandTypeError


@pytest.mark.parametrize("call", [
    lambda: Value(1.0).backward(grad="1"),
    lambda: Value(1.0).backward(grad=None),
    lambda: Value(1.0).backward_steps(grad=[1.0]),
    lambda: Value(1.0, requires_grad="no"),
    lambda: Value(1.0, requires_grad=None),
    lambda: Value(1.0).register_hook(5),
])
def test_bad_arguments_are_operand_type_errors_at_once(call):
    with pytest.raises(OperandTypeError):
        call()


def test_good_seeds_and_flags_still_work():
    np = pytest.importorskip("numpy")
    x = Value(2.0)
    y = x * 3.0
    y.backward(grad=np.float32(2.0))
    assert x.grad == 6.0
    assert Value(1.0, requires_grad=np.bool_(False)).requires_grad is False


@pytest.mark.parametrize("depth", [250, 100_000])
def test_deepcopy_of_a_deep_graph_works_at_any_depth(depth):
    x = Value(1.5, label="x")
    y = x
    for _ in range(depth):
        y = y * 1.0 + 0.0
    z = copy.deepcopy(y)
    assert z.data == y.data
    z.backward()
    assert x.grad == 0.0  # the copy has its own leaves
    leaf = z
    while leaf.parents:
        leaf = leaf.parents[0]
    assert leaf is not x and leaf.grad == 1.0 and leaf.label == "x"


def test_deepcopy_keeps_sharing_and_derived_op_groups():
    a = Value(0.5)
    b = a.tanh() * a
    c = copy.deepcopy(b)
    t, a2 = c.parents
    assert t.parents[0] is a2  # a used twice stays one node
    c.backward()
    b.backward()
    assert a2.grad == a.grad


def test_pickling_a_leaf_works_and_a_graph_node_is_refused_clearly():
    assert pickle.loads(pickle.dumps(Value(3.0, label="a"))).data == 3.0
    with pytest.raises(GraphError, match="does not pickle graphs"):
        pickle.dumps(Value(2.0) * 2.0)


def test_copy_of_a_node_shares_its_parents():
    x = Value(2.0)
    y = x * 3.0
    assert copy.copy(y).parents[0] is x
