"""The backward pass: accumulation per path, repeated backward, zeroing, reuse, switches that
stop gradients, hooks, a chain of 10⁶ nodes, and freeing graphs without the cyclic GC."""

from __future__ import annotations

import gc
import math
import sys
import weakref

from hypothesis import given, strategies as st

from autograd import Value, enable_grad, gc_paused, grad, no_grad
from autograd.check import gradcheck, reverse_gradient
from autograd.forward import forward_gradient
from proof_helpers import worked_example


def test_worked_example_by_reverse_forward_and_central_differences():
    f = lambda a, b: (a + b) * (b + 1)  # noqa: E731
    assert reverse_gradient(f, [2.0, 1.0]) == [2.0, 5.0]
    assert forward_gradient(f, [2.0, 1.0]) == [2.0, 5.0]
    assert gradcheck(f, [2.0, 1.0]).ok


def test_accumulation_a_node_used_on_two_paths_receives_the_sum_of_both():
    """∂e/∂b = 1·2 (through c) + 1·3 (through d): b piles up both contributions."""
    a, b, c, d, e = worked_example()
    e.backward()
    assert b.grad == 1.0 * c.data * 1.0 + 1.0 * d.data * 1.0 == 5.0 - 0.0 * a.data


def test_accumulation_x_times_x_has_both_parents_counted():
    x = Value(3.0)
    y = x * x
    assert y.parents == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_sum_of_contributions_sent_to_each_node_equals_its_gradient():
    a, b, c, d, e = worked_example()
    received = {}
    for step in e.backward_steps():
        for parent, sent in zip(step.node.parents, step.sent):
            if sent is not None:
                received[id(parent)] = received.get(id(parent), 0.0) + sent
    for node in (a, b, c, d):
        assert received[id(node)] == node.grad


@given(st.integers(1, 6), st.floats(-3, 3), st.floats(-3, 3))
def test_repeated_backward_accumulates_exactly_k_times_in_leaves(k, x0, y0):
    """Leaves: exactly k × the single gradient, i.e. the single-pass gradient g added k times
    (g + g + … in floats; each pass must add its own total, not its separate path
    contributions, or the roundings differ).  Interior nodes: the latest pass."""
    x, y = Value(x0), Value(y0)
    z = x * y + x.tanh()
    w = z * z
    w.backward()
    gx, gy, gz = x.grad, y.grad, z.grad
    for _ in range(k - 1):
        w.backward()
    sum_x = sum_y = 0.0
    for _ in range(k):
        sum_x += gx
        sum_y += gy
    assert (x.grad, y.grad) == (sum_x, sum_y)
    assert z.grad == gz and w.grad == 1.0


def test_repeated_backward_accumulates_exactly_twice_in_the_worked_example():
    a, b, c, d, e = worked_example()
    e.backward()
    e.backward()
    assert (a.grad, b.grad) == (4.0, 10.0)
    assert (c.grad, d.grad, e.grad) == (2.0, 3.0, 1.0)


def test_zero_grad_clears_every_node_of_the_graph():
    a, b, c, d, e = worked_example()
    e.backward()
    e.zero_grad()
    assert all(n.grad == 0.0 for n in (a, b, c, d, e))
    e.backward()
    assert (a.grad, b.grad) == (2.0, 5.0)


def test_graph_is_reusable_after_backward():
    a, b, c, d, e = worked_example()
    e.backward()
    a.data = 5.0  # change a leaf; the graph's stored values stay those of the forward pass
    e.zero_grad()
    e.backward()
    assert (a.grad, b.grad) == (2.0, 5.0)
    f = e * e  # and it can be built upon
    f.backward()
    assert a.grad == 2.0 + 2 * 6.0 * 2.0


def test_no_grad_records_nothing_and_leaves_keep_grad_zero():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
        with enable_grad():
            z = x * 3
    assert y.is_leaf and not y.requires_grad and y.data == 5.0
    y.backward()
    assert x.grad == 0.0
    z.backward()
    assert x.grad == 3.0


def test_detach_cuts_the_graph():
    x = Value(2.0)
    y = x.detach() * x
    y.backward()
    assert x.grad == 2.0  # only the non-detached factor
    assert not x.detach().requires_grad and x.detach().is_leaf


def test_requires_grad_false_leaf_keeps_grad_zero():
    x = Value(2.0)
    c = Value(5.0, requires_grad=False)
    y = x * c + c * c
    y.backward()
    assert c.grad == 0.0 and x.grad == 5.0
    only_constants = c * c
    assert not only_constants.requires_grad
    only_constants.backward()
    assert c.grad == 0.0


def test_hook_can_replace_the_gradient_that_flows_on():
    x = Value(3.0)
    y = x * 2
    y.register_hook(lambda g: g * 10)
    z = y * 1
    z.backward()
    assert y.grad == 10.0 and x.grad == 20.0


def test_hook_sees_the_complete_gradient_once_and_can_be_removed():
    x = Value(3.0)
    seen = []
    remove = x.register_hook(lambda g: seen.append(g))
    y = x * x + x  # x gets 6 + 1, delivered as one complete gradient
    y.backward()
    assert seen == [7.0] and x.grad == 7.0
    remove()
    y.backward()
    assert seen == [7.0] and x.grad == 14.0


def test_leaf_hook_replaces_only_this_pass_contribution():
    x = Value(1.0)
    x.register_hook(lambda g: g * 2)
    y = x * 3
    y.backward()
    y.backward()
    assert x.grad == 12.0  # 2·3 per pass, accumulated


def test_million_node_chain_backward_at_the_default_recursion_limit():
    """y = y·1.0001 + 0.1, 10⁶ times: 2·10⁶ nodes, no recursion anywhere.  dy/dx = 1.0001¹⁰⁶
    (10⁶ roundings: relative error ≤ 10⁶·ε ≈ 2e-10).  Built inside ``gc_paused()``, as the
    engine recommends for big graphs (the cyclic collector would re-read 2·10⁶ live nodes)."""
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    r, c = Value(1.0001, requires_grad=False), Value(0.1, requires_grad=False)
    y = x
    with gc_paused():
        for _ in range(1_000_000):
            y = y * r + c
        y.backward()
    assert sys.getrecursionlimit() == limit
    assert math.isclose(x.grad, 1.0001 ** 1_000_000, rel_tol=1e-9)
    assert math.isclose(y.data, 1.0001 ** 1_000_000 * (1.0 + 0.1 / 0.0001) - 0.1 / 0.0001,
                        rel_tol=1e-9)
    del y  # freeing 2·10⁶ nodes must not recurse either


def test_no_reference_cycles_dropping_the_output_frees_the_whole_graph():
    gc.collect()
    gc.disable()
    try:
        a, b = Value(2.0), Value(1.0)
        e = ((a + b) * (b + 1)).tanh() + a.relu() - b.softplus()
        e.label = "e"
        e.backward()
        e.register_hook(lambda g: g)
        refs = [weakref.ref(n) for n in _all_nodes(e)]
        leaves = [weakref.ref(a), weakref.ref(b)]
        assert len(refs) > 10
        del e
        assert [r() for r in refs if r() is not None and r() is not a and r() is not b] == []
        del a, b
        assert all(r() is None for r in leaves)
    finally:
        gc.enable()


def test_no_reference_cycles_from_grad_with_create_graph():
    """``grad(..., create_graph=True)`` returns the gradient graph without storing it in any
    ``.grad``, so nothing points back: dropping the results frees everything."""
    gc.collect()
    gc.disable()
    try:
        x = Value(1.5)
        y = x * x.exp()
        (g,) = grad(y, [x], create_graph=True)
        (h,) = grad(g, [x], create_graph=True)
        refs = [weakref.ref(n) for root in (y, g, h) for n in _all_nodes(root)]
        del x, y, g, h
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def test_zero_grad_breaks_the_cycle_that_backward_create_graph_makes():
    """``backward(create_graph=True)`` stores in ``x.grad`` a graph that contains x itself
    (d/dx x·eˣ = eˣ + x·eˣ): a cycle x → x.grad → … → x, as in torch.  ``zero_grad()``
    replaces the Value grads by 0.0 and the graph is freed by reference counting again."""
    gc.collect()
    gc.disable()
    try:
        x = Value(1.5)
        y = x * x.exp()
        y.backward(create_graph=True)
        assert isinstance(x.grad, Value)
        refs = [weakref.ref(n) for root in (y, x.grad) for n in _all_nodes(root)]
        y.zero_grad()
        del x, y
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


def _all_nodes(root):
    from autograd import topological_order
    return topological_order(root)


@given(data=st.data())
def test_backward_and_stepping_through_every_node_give_the_same_gradients(data):
    """backward() is the stepping walk run without its stops: the same sums in the same
    order, so the same floats in every node, leaves with earlier gradients included."""
    from autograd.graph import topological_order, walk
    from autograd.testing import expression_inputs, expressions
    expression = data.draw(expressions(n_inputs=2), label="expression")
    xs = data.draw(expression_inputs(expression), label="inputs")
    grads = []
    for stepping in (False, True):
        leaves = [Value(x) for x in xs]
        leaves[0].grad = 0.25  # an earlier pass's gradient, kept and added once
        out = expression(*leaves)
        if not isinstance(out, Value) or not out.requires_grad:
            return
        if stepping:
            stops = list(walk(out))
            assert len(stops) == len(topological_order(out, only_requiring_grad=True))
        else:
            out.backward()
        grads.append([n.grad for n in topological_order(out)])
    assert repr(grads[0]) == repr(grads[1])  # repr: nan == nan, and -0.0 ≠ 0.0
