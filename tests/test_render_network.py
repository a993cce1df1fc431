"""Pictures of real graphs: every edge drawn, heavy fan-out, named parameters, honest steps."""

import importlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value
from autograd import functional as F
from autograd.errors import GraphError
from autograd.graph import topological_order
from autograd.render import to_dot
from proof_helpers import cluster_bodies

R = importlib.import_module("autograd.render")
P = importlib.import_module("autograd.render.plan")  # what is drawn
G = importlib.import_module("autograd.render.graphviz")  # running dot

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
    plan = P.Plan(out, derived)
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
    monkeypatch.setattr(G, "graphviz_command",
                        lambda: [sys.executable, "-c", "import time; time.sleep(30)"])
    with pytest.raises(GraphvizTimeoutError) as info:
        to_dot(power_chain(3, "*")).pipe("svg", timeout=0.5)
    message = str(info.value)
    assert "0.5 s" in message and ".dot" in message and "explain" in message
    assert "depth=" in message and "timeout=" in message
    assert isinstance(info.value, TimeoutError)


# --- names from the model ---------------------------------------------------------------------

def mlp_loss(seed=0):
    from nn import MLP
    model = MLP(2, [4, 1], activation="tanh", seed=seed)
    out = model([0.5, -1.0])[0]
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return model, loss


def test_every_parameter_of_an_mlp_carries_its_named_parameters_name_as_label():
    from nn import MLP
    model = MLP(3, [4, 4, 1], seed=0)
    named = model.named_parameters()
    assert [p.label for _, p in named] == [name for name, _ in named]
    assert len({p.label for _, p in named}) == len(named) == 41
    assert named[0][0] == "layers.0.neurons.0.w.0" and named[3][0] == "layers.0.neurons.0.b"


def test_parameter_names_survive_save_and_load(tmp_path):
    from nn import MLP
    model = MLP(2, [3, 1], seed=1)
    model.save(tmp_path / "m.json")
    again = MLP.load(tmp_path / "m.json")
    assert [p.label for p in again.parameters()] == [n for n, _ in again.named_parameters()]
    assert [p.label for p in again.parameters()] == [p.label for p in model.parameters()]


def test_float_inputs_are_named_x0_x1_and_a_users_value_keeps_its_label():
    from nn import MLP
    model = MLP(2, [1], seed=0)
    out = model([0.5, -1.0])[0]
    leaves = [n for n in topological_order(out) if n.op is None and not n.requires_grad]
    assert [n.label for n in leaves] == ["x0", "x1"]
    mine, unnamed = Value(1.0, label="height"), Value(2.0)
    model([mine, unnamed])
    assert mine.label == "height" and unnamed.label is None


def test_parameters_data_inputs_and_constants_are_drawn_apart_and_named():
    model, loss = mlp_loss()
    source = to_dot(loss, params=model, max_nodes=None).source
    for name, p in model.named_parameters():
        assert f"<B>{name}</B>" in source
    fills = dict(re.findall(r'^\t+(n\d+) \[.*fillcolor="(#[0-9a-f]{6})"', source, re.M))
    index = {id(n): i for i, n in enumerate(topological_order(loss))}
    w = model.parameters()[0]
    x0 = [n for n in topological_order(loss) if n.label == "x0"][0]
    one = [n for n in topological_order(loss) if n.op is None and n.label is None][0]
    assert fills[f"n{index[id(w)]}"] == P.PARAM[0]
    assert fills[f"n{index[id(x0)]}"] == P.DATA[0]
    assert fills[f"n{index[id(one)]}"] == P.CONST[0]
    assert "green: parameters" in source and "light blue: data" in source


def test_names_mapping_names_any_node():
    x = Value(3.0)
    y = x * 2
    source = to_dot(y, names={x: "speed", y: "twice"}).source
    assert "<B>speed</B>" in source and "<B>twice</B>" in source


# --- honest step pictures ---------------------------------------------------------------------

def worked():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b; c.label = "c"
    d = b + 1; d.label = "d"
    e = c * d; e.label = "e"
    return a, b, e


def grad_shown(source, name):
    found = re.search(rf"<B>{name}</B>.*?grad</FONT></TD><TD ALIGN=\"RIGHT\">(.*?)</TD>", source)
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_a_step_picture_shows_each_grad_as_it_stood_at_that_step():
    a, b, e = worked()
    steps = list(e.backward_steps())
    source = to_dot(e, highlight=steps[1]).source      # d sends 3 to b
    assert grad_shown(source, "b") == "3" and b.grad == 5.0
    assert grad_shown(source, "a") == R.NOT_YET and grad_shown(source, "d") == "3"
    assert "not computed yet" in source
    assert (a.grad, b.grad) == (2.0, 5.0)              # the graph is left as it was


def test_grads_can_come_from_a_mapping_or_a_snapshot_object():
    a, b, e = worked()
    e.backward()

    class Snapshot:
        def grad(self, node):
            return None if node is a else 7.0
    source = to_dot(e, grads=Snapshot()).source
    assert grad_shown(source, "a") == R.NOT_YET and grad_shown(source, "b") == "7"
    source = to_dot(e, grads={b: 1.5}).source
    assert grad_shown(source, "b") == "1.5" and grad_shown(source, "a") == "2"


def test_dark_theme_and_transparent_background():
    a, b, e = worked()
    e.backward()
    dark = to_dot(e, theme="dark").source
    assert 'bgcolor="#111827"' in dark and P.INNER[0] not in dark
    clear = to_dot(e, background="transparent").source
    assert 'bgcolor="transparent"' in clear
    with pytest.raises(GraphError):
        to_dot(e, theme="neon")


# --- step sequences keep every node in place; layout; dpi -------------------------------------

def test_every_frame_of_a_step_sequence_puts_every_node_at_the_same_place(tmp_path):
    import json
    from nn import Neuron
    neuron = Neuron(2, "tanh", seed=0)
    loss = (neuron([Value(0.5, label="x0"), Value(-1.0, label="x1")]) - 1.0) ** 2
    loss.label = "loss"
    drawings = R.step_drawings(loss, params=neuron, derived="open")
    assert len(drawings) == len(list(loss.backward_steps()))
    places = []
    for drawing in drawings[::4]:
        laid = json.loads(G.run_graphviz(drawing.source, "json", None, ("-n2",),
                                         G.neato_command()))
        places.append({o["name"]: o["pos"] for o in laid["objects"] if "pos" in o})
    assert len(places[0]) > 15 and len(places) > 2 and all(p == places[0] for p in places)
    paths = R.render_steps(loss, str(tmp_path / "step{k}.png"), params=neuron)
    sizes = {open(p, "rb").read()[16:24] for p in paths}  # PNG width and height
    assert len(paths) == len(drawings) and len(sizes) == 1


def test_a_leaf_step_caption_says_what_it_held_at_that_step():
    a, b, e = worked()
    steps = list(e.backward_steps())
    a.grad = b.grad = 0.0
    source = to_dot(e, highlight=steps[-1]).source
    assert "a: input, holds 2" in source


def test_layout_gives_each_dot_node_id_a_position_in_points():
    a, b, e = worked()
    e.backward()
    places = R.layout(e)
    nodes, _ = dot_nodes_and_edges(to_dot(e).source)
    assert sorted(places) == sorted(nodes)
    x_a, _ = places["n0"]
    x_e, _ = places["n5"]
    assert x_a < x_e  # left to right
    boxes = R.layout(e, sizes=True)
    assert all(len(v) == 4 and v[2] > 0 and v[3] > 0 for v in boxes.values())


def test_dpi_and_scale_set_the_size_of_a_png(tmp_path):
    import struct
    a, b, e = worked()
    e.backward()

    def width(path):
        return struct.unpack(">I", open(path, "rb").read()[16:20])[0]
    base = width(R.render(e, tmp_path / "a.png"))
    assert abs(width(R.render(e, tmp_path / "b.png", dpi=192)) - 2 * base) <= 2  # 96 dpi
    assert abs(width(R.render(e, tmp_path / "c.png", scale=3)) - 3 * base) <= 3
    with pytest.raises(GraphError):
        R.render(e, tmp_path / "d.png", dpi=-5)


def test_an_opened_fused_op_shows_no_rounding_noise_and_no_minus_zero():
    u = Value(0.3, label="u")
    y = u.softplus().tanh()
    y.backward()
    source = to_dot(y, derived="open").source
    assert "e-16" not in source and "e-17" not in source
    assert ">-0<" not in source and "<B>-0</B>" not in source
    assert P.short_number(-0.0, 4) == "0" and P.short_number(-1e-9, 4) == "-1e-09"
    assert P.short_number(-1e-17, 4, floor=1e-12) == "0"


def test_the_legend_names_every_kind_of_node_drawn_and_no_other():
    x = Value(0.5, label="x")
    y = x
    for _ in range(10):
        y = y * x                      # x feeds 10 ops: alias chips
    y = (y - 1.0).relu() + x.exp()     # constant, derived box, named primitive
    y.backward()
    source = to_dot(y, max_nodes=None).source
    for kind in ("input", "constant", "inner", "output", "op", "named op", "derived", "alias"):
        assert R.LEGEND[kind] in source, kind
    for kind in ("parameter", "data", "frame", "not yet", "cut"):
        assert R.LEGEND[kind] not in source, kind
    opened = to_dot(y, derived="open", max_nodes=None).source
    assert R.LEGEND["frame"] in opened


def test_render_steps_needs_a_step_number_in_its_pattern(tmp_path):
    a, b, e = worked()
    with pytest.raises(GraphError, match="{k}"):
        R.render_steps(e, str(tmp_path / "frame.png"))


# --- opened fused ops: the composite at the size of its formula -------------------------------

def test_an_opened_tanh_is_drawn_as_2_sigmoid_2x_minus_1_in_a_few_nodes():
    x = Value(0.5, label="x")
    y = F.tanh(x)
    y.backward()
    source = to_dot(y, derived="open").source
    inside = "\n".join(cluster_bodies(source)["cluster_f1"])
    nodes, edges = dot_nodes_and_edges(inside)
    ops = re.findall(r"label=<(×|sigmoid|sub|\+|exp|max)>", inside)
    assert sorted(ops) == sorted(["×", "sigmoid", "×", "sub"])
    assert len(nodes) == 10          # 3 constant chips, 3 values, 4 ops (was 18 values)
    assert "2σ(2x) − 1" in source
    # the constant 1 of "− 1" has its edge, and no constant is built from constants
    _, all_edges = dot_nodes_and_edges(source)
    touched = {a for a, _, _ in all_edges} | {b for _, b, _ in all_edges}
    assert all(n in touched for n in nodes)


@pytest.mark.parametrize("make", [F.tanh, F.sigmoid, lambda v: F.logaddexp(v, v * 3.0),
                                  lambda v: F.tanh(F.softplus(v))])
@pytest.mark.parametrize("x", [-3.0, -0.7, 0.0, 0.5, 2.0])
def test_numbers_in_an_opened_fused_op_carry_no_rounding_noise(make, x):
    # at these inputs every true value inside is 0 or above 1e-3: a tiny one is noise
    u = Value(x, label="u")
    out = make(u)
    out.backward()
    source = to_dot(out, derived="open", legend=False).source
    for number in re.findall(r">(-?[\d.]+(?:e[-+]\d+)?)<", source):
        value = float(number)
        assert value == 0.0 or abs(value) > 1e-6, (number, source)


def test_an_opened_tanh_of_softplus_stays_a_readable_width_with_nested_frames():
    import json
    u = Value(0.3, label="u")
    t = F.tanh(F.softplus(u))
    t.backward()
    drawing = to_dot(t, derived="open")
    bb = json.loads(drawing.pipe("json"))["bb"].split(",")
    width_pt = float(bb[2]) - float(bb[0])
    assert width_pt < 2100    # was 3157 pt (4209 px) with the full flat references
    bodies = cluster_bodies(drawing.source)
    softplus = [c for c, lines in bodies.items() if any("label=<softplus>" in l for l in lines)]
    assert len(softplus) == 1
    # the softplus frame holds the logaddexp composite, not only its "0" chip
    assert any("subgraph cluster_f" in line for line in
               drawing.source.split(f"subgraph {softplus[0]} {{", 1)[1].splitlines()[:40])
