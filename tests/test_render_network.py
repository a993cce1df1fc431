"""Pictures of real graphs: every edge drawn, heavy fan-out, named parameters, honest steps."""

import importlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value
from autograd import functional as F
from autograd.render import to_dot

R = importlib.import_module("autograd.render")

NODE = re.compile(r"^\t+(\w+) \[", re.M)
EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)


def dot_nodes_and_edges(source):
    nodes = [n for n in NODE.findall(source) if n not in ("node", "edge", "graph")]
    edges = [(a, b, attrs or "") for a, b, attrs in EDGE.findall(source)]
    return nodes, edges


def multiplicity(attrs):
    """How many (node, argument) pairs one drawn edge stands for (merged repeats)."""
    found = re.search(r'comment="args ([\d,]+)"', attrs)
    return len(found.group(1).split(",")) if found else 1


# Random expressions with plain floats on either side of every binary operator.
UNARY = [F.exp, F.tanh, F.sigmoid, F.softplus, F.relu, F.abs, F.neg, lambda v: v.sqrt()
         if v.data > 0 else v * 1.5, lambda v: v ** 2, lambda v: v ** 0.5 if v.data > 0
         else v - 1.0, F.log1p if hasattr(F, "log1p") else F.exp]
BINARY = ["+", "-", "*", "/", "**", "max", "min", "logaddexp"]


def combine(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b if abs(float(b)) > 0.1 else a * b
    if op == "**":  # a positive base with any exponent: 2.0 ** y, y ** 3.0, x ** y
        base = a if float(a) > 0.1 else 2.0
        return base ** b if isinstance(b, Value) or isinstance(base, Value) else a + b
    if op == "max":
        return F.maximum(a, b)
    if op == "min":
        return F.minimum(a, b)
    return F.logaddexp(a, b)


@st.composite
def graphs(draw):
    leaves = [Value(draw(st.floats(-2, 2)), label=f"x{i}") for i in range(2)]
    slots = list(leaves)
    for _ in range(draw(st.integers(1, 7))):
        if draw(st.booleans()):
            f = draw(st.sampled_from(UNARY))
            x = slots[draw(st.integers(0, len(slots) - 1))]
            if abs(x.data) > 20:
                x = x * 0.01
            slots.append(f(x))
        else:
            op = draw(st.sampled_from(BINARY))
            a = slots[draw(st.integers(0, len(slots) - 1))]
            b = slots[draw(st.integers(0, len(slots) - 1))]
            constant = draw(st.sampled_from([None, "left", "right"]))
            number = draw(st.sampled_from([1.0, 2.0, 0.5, 3.0]))
            if constant == "left":
                a = number
            elif constant == "right":
                b = number
            slots.append(combine(op, a, b))
    out = slots[-1]
    if not isinstance(out, Value) or out.op is None:
        out = leaves[0] * 2.0 - 1.0
    out.backward()
    return out


def expected_arguments(plan, node):
    """How many arguments the drawn op of ``node`` takes: a box's distinct inputs, else
    the primitive's arity."""
    if plan.is_box(node):
        return len(plan.inputs_of(node))
    return len(node.parents)


@pytest.mark.parametrize("derived", ["box", "open"])
@settings(max_examples=60, deadline=None)
@given(out=graphs())
def test_every_argument_of_every_drawn_op_has_exactly_one_edge(out, derived):
    source = to_dot(out, derived=derived, max_nodes=None).source
    nodes, edges = dot_nodes_and_edges(source)
    # no node without an edge, and no edge to a node that is not defined
    touched = {a for a, _, _ in edges} | {b for _, b, _ in edges}
    assert [n for n in nodes if n not in touched] == []
    assert [n for n in touched if n not in nodes] == []
    plan = R._Plan(out, derived)
    into = {}
    for _, b, attrs in edges:
        into[b] = into.get(b, 0) + multiplicity(attrs)
    for node in plan.visible:
        if node.op is None:
            continue
        i = plan.index[id(node)]
        if derived == "open" and node.op.fuses in F.REFERENCES:
            continue  # drawn as its composite: checked by the node/edge rules above
        assert into.get(f"n{i}_op", 0) == expected_arguments(plan, node), (i, source)


@pytest.mark.parametrize("make", [lambda y: y - 1.0, lambda y: 1.0 - y, lambda y: 2.0 ** y,
                                  lambda y: (y - 1.0) ** 2])
@pytest.mark.parametrize("derived", ["box", "open"])
def test_a_float_constant_under_sub_or_as_a_power_base_has_its_edge(make, derived):
    y = Value(2.0, label="y")
    out = make(y)
    source = to_dot(out, derived=derived).source
    nodes, edges = dot_nodes_and_edges(source)
    touched = {a for a, _, _ in edges} | {b for _, b, _ in edges}
    assert [n for n in nodes if n not in touched] == []


# --- heavy fan-out and slow Graphviz ----------------------------------------------------------

def power_chain(n, op):
    a = Value(2.0, label="a")
    e = a
    for _ in range(n - 1):
        e = e * a if op == "*" else e + a
    e.backward()
    return e


@pytest.mark.parametrize("op", ["*", "+"])
def test_a_node_used_by_many_ops_is_drawn_once_with_alias_chips_for_its_other_uses(op):
    e = power_chain(50, op)
    source = to_dot(e, max_nodes=None).source
    nodes, edges = dot_nodes_and_edges(source)
    out_of = {}
    for a, _, _ in edges:
        out_of[a] = out_of.get(a, 0) + 1
    assert out_of["n0"] == 1                       # a itself: its first use only
    aliases = [n for n in nodes if n.startswith("n0_use")]
    assert len(aliases) == 48                      # a's other 48 uses (a*a is one edge)
    assert all(out_of[n] == 1 for n in aliases)
    assert all('style="rounded,filled,dashed"' in line for line in source.splitlines()
               if line.lstrip().startswith("n0_use") and "->" not in line)
    # still one edge per argument: the first op takes a twice, through one merged edge
    first = [attrs for a, b, attrs in edges if b == "n1_op"]
    assert len(first) == 1 and 'comment="args 0,1"' in first[0]
    assert ("label=<2, 2>" if op == "*" else "label=<1, 1>") in first[0]


def test_a_few_uses_are_drawn_as_plain_edges():
    x = Value(3.0, label="x")
    y = x * x + x; y.label = "y"
    y.backward()
    source = to_dot(y).source
    assert "_use" not in source
    assert 'n0 -> n1_op [label=<3, 3> color="#6b7280:invis:#6b7280" comment="args 0,1"' \
        in source


def test_graphviz_past_its_time_bound_is_one_clear_error_naming_the_fallbacks(monkeypatch):
    import sys
    from autograd.errors import GraphvizTimeoutError
    monkeypatch.setattr(R, "graphviz_command",
                        lambda: [sys.executable, "-c", "import time; time.sleep(30)"])
    with pytest.raises(GraphvizTimeoutError) as info:
        to_dot(power_chain(3, "*")).pipe("svg", timeout=0.5)
    message = str(info.value)
    assert "0.5 s" in message and ".dot" in message and "explain" in message
    assert "depth=" in message and "timeout=" in message
    assert isinstance(info.value, TimeoutError)
