"""Pictures of a network by neuron and by layer: one box per neuron, layer frames, opening a
neuron, the depth-limited view, and every edge into and out of a group box."""

import importlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value
from autograd.errors import GraphError
from autograd.functional import REFERENCES
from autograd.render import to_dot
from proof_helpers import cluster_bodies

R = importlib.import_module("autograd.render")
P = importlib.import_module("autograd.render.plan")  # what is drawn
G = importlib.import_module("autograd.render.graphviz")  # running dot

NODE = re.compile(r"^\t+(\w+) \[", re.M)
EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", re.M)
NEURON_FILL = 'fillcolor="#cffafe"'


def nodes_and_edges(source):
    nodes = [n for n in NODE.findall(source) if n not in ("node", "edge", "graph")]
    edges = [(a, b, attrs or "") for a, b, attrs in EDGE.findall(source)]
    return nodes, edges


def node_lines(source):
    return {m.group(1): line for line in source.splitlines()
            if "->" not in line and (m := NODE.match(line))}


def neuron_boxes(source):
    return [n for n, line in node_lines(source).items() if NEURON_FILL in line]


def network(sizes=(4, 1), activation="relu", seed=0, inputs=(1.0, -2.0), loss=True):
    from nn import MLP
    model = MLP(len(inputs), list(sizes), activation=activation, seed=seed)
    out = model(list(inputs))[0]
    if loss:
        out = (out - 1.0) ** 2
        out.label = "loss"
    out.backward()
    return model, out


# --- one box per neuron -----------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [(4, 1), (3, 2, 1)])
def test_grouped_by_neuron_draws_one_box_per_neuron(sizes):
    model, loss = network(sizes)
    source = to_dot(loss, params=model, group="neuron").source
    assert len(neuron_boxes(source)) == sum(sizes)
    # no parameter is drawn on its own: each is inside its neuron's box
    assert 'fillcolor="#dcfce7"' not in source


def test_each_neuron_box_is_named_and_shows_data_and_grad_of_its_sum_and_activation():
    model, loss = network((4, 1))
    plan = P.Plan(loss, "box", "neuron", model)
    lines = node_lines(to_dot(loss, params=model, group="neuron").source)
    assert len(plan.neuron_at) == 5
    for i, (name, pre, out) in plan.neuron_at.items():
        line = lines[f"n{i}"]
        assert f"<B>{name}</B>" in line
        shown = [P.short_number(pre.data, 4), P.short_number(pre.grad, 4)]
        assert f"Σ</TD><TD ALIGN=\"RIGHT\">{shown[0]}</TD><TD ALIGN=\"RIGHT\"><B>{shown[1]}</B>" \
            in line
        if name.startswith("layers.0"):
            assert out is not pre and f">relu</TD><TD ALIGN=\"RIGHT\">{P.short_number(out.data, 4)}" \
                in line
        else:  # the output layer is linear: its box holds the sum only
            assert out is pre and "relu" not in line
    names = sorted(name for name, _, _ in plan.neuron_at.values())
    assert names == [f"layers.0.neurons.{j}" for j in range(4)] + ["layers.1.neurons.0"]


def test_without_params_the_neurons_are_found_from_the_labels_in_the_graph():
    model, loss = network((4, 1))
    with_params = to_dot(loss, params=model, group="neuron").source
    from_labels = to_dot(loss, group="neuron").source
    assert len(neuron_boxes(from_labels)) == 5
    assert re.findall(r"<B>(layers[.\w]+)</B>", from_labels) == \
        re.findall(r"<B>(layers[.\w]+)</B>", with_params)


def test_a_graph_without_neurons_is_drawn_as_it_is():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")  # "b" alone is not a neuron's bias
    e = (a + b) * (b + 1)
    e.backward()
    assert to_dot(e, group="neuron").source == to_dot(e).source


def test_a_model_called_twice_in_one_graph_is_left_ungrouped_with_every_edge():
    from nn import MLP
    model = MLP(2, [2, 1], seed=0)
    loss = (model([1.0, 2.0])[0] - 1.0) ** 2 + (model([0.5, -1.0])[0] + 1.0) ** 2
    loss.backward()
    source = to_dot(loss, params=model, group="neuron", max_nodes=None).source
    assert neuron_boxes(source) == []
    nodes, edges = nodes_and_edges(source)
    touched = {a for a, _, _ in edges} | {b for _, b, _ in edges}
    assert [n for n in nodes if n not in touched] == []


def test_a_neuron_output_highlighted_as_a_step_marks_its_box():
    model, loss = network((4, 1))
    steps = list(loss.backward_steps())
    plan = P.Plan(loss, "box", "neuron", model)
    i = next(i for i, (n, _, _) in plan.neuron_at.items() if n == "layers.1.neurons.0")
    step = next(s for s in steps if s.node is plan.order[i])
    line = node_lines(to_dot(loss, params=model, group="neuron", highlight=step).source)[f"n{i}"]
    assert 'color="#dc2626"' in line


# --- opening a neuron, layer frames ------------------------------------------------------------

def test_opening_one_neuron_draws_its_nodes_in_a_frame_and_keeps_the_other_boxes():
    model, loss = network((4, 1))
    source = to_dot(loss, params=model, group="neuron", open=["layers.0.neurons.1"]).source
    assert len(neuron_boxes(source)) == 4
    bodies = cluster_bodies(source)
    assert list(bodies) == ["cluster_G0"]
    inside = "\n".join(bodies["cluster_G0"])
    assert "layers.0.neurons.1</B>>" in inside           # the frame's label
    for name in ("layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1", "layers.0.neurons.1.b"):
        assert f"<B>{name}</B>" in inside
    assert "label=<relu>" in inside and "layers.0.neurons.0.w" not in source


def test_open_naming_no_neuron_is_an_error_that_lists_the_neurons():
    model, loss = network((4, 1))
    with pytest.raises(GraphError, match="layers.0.neurons.0"):
        to_dot(loss, params=model, group="neuron", open=["layers.0.neurons.9"])
    with pytest.raises(GraphError, match="group must be"):
        to_dot(loss, group="neurons")


@pytest.mark.parametrize("derived", ["box", "open"])
def test_grouped_by_layer_draws_one_frame_per_layer_holding_its_neurons_nodes(derived):
    model, loss = network((3, 2, 1))
    source = to_dot(loss, params=model, group="layer", derived=derived, max_nodes=None).source
    bodies = cluster_bodies(source)
    layer_frames = [c for c in bodies if re.fullmatch(r"cluster_G\d+", c)]
    neuron_frames = [c for c in bodies if re.fullmatch(r"cluster_G\d+n\d+", c)]
    assert len(layer_frames) == 3 and len(neuron_frames) == 3 + 2 + 1
    assert neuron_boxes(source) == []
    for frame in neuron_frames:  # a neuron's frame sits in its layer's and holds its nodes
        layer = frame.split("n")[0]
        k = layer_frames.index(layer)
        j = int(re.search(r"label=<neurons\.(\d+)>", "\n".join(bodies[frame])).group(1))
        inside = "\n".join(bodies[frame])
        assert inside in "\n".join(bodies[layer])
        for name, _ in model.named_parameters():
            assert (f"<B>{name}</B>" in inside) == name.startswith(f"layers.{k}.neurons.{j}.")
    for k, frame in enumerate(layer_frames):
        inside = "\n".join(bodies[frame])
        assert f"<B>layers.{k}</B>>" in inside
        for name, _ in model.named_parameters():
            assert (f"<B>{name}</B>" in inside) == name.startswith(f"layers.{k}.")
        assert "<B>x0</B>" not in inside and "<B>loss</B>" not in inside


# --- big networks -----------------------------------------------------------------------------

def test_a_grouped_network_fits_under_max_nodes_where_the_flat_one_is_cut():
    model, loss = network((8, 8, 1))
    flat = to_dot(loss, params=model).source
    grouped = to_dot(loss, params=model, group="neuron").source
    assert "showing the" in flat and "⋯" in flat
    assert "showing the" not in grouped and "⋯" not in grouped
    assert len(neuron_boxes(grouped)) == 17


def test_a_depth_limited_grouped_picture_cuts_at_whole_neurons():
    model, loss = network((8, 8, 1))
    source = to_dot(loss, params=model, group="neuron", depth=3).source
    assert "showing the" in source
    assert len(neuron_boxes(source)) == 9    # the output neuron and the 8 feeding it
    nodes, edges = nodes_and_edges(source)
    cut = [a for a, _, _ in edges if a.endswith("_cut")]
    assert len(cut) == 8                     # each first-layer box ends in a ⋯ stub


# --- every edge, grouped ----------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
       nin=st.integers(1, 3), activation=st.sampled_from(["relu", "tanh", "sigmoid",
                                                            "softplus", "identity"]),
       group=st.sampled_from(["neuron", "layer"]), derived=st.sampled_from(["box", "open"]),
       seed=st.integers(0, 5), loss=st.booleans())
def test_every_edge_of_a_grouped_network_is_drawn_once(sizes, nin, activation, group,
                                                       derived, seed, loss):
    model, out = network(sizes + [1], activation, seed, [0.5 * (i + 1) for i in range(nin)],
                         loss)
    plan = P.Plan(out, derived, group, model)
    source = to_dot(out, params=model, group=group, derived=derived, max_nodes=None).source
    nodes, edges = nodes_and_edges(source)
    touched = {a for a, _, _ in edges} | {b for _, b, _ in edges}
    assert [n for n in nodes if n not in touched] == []
    assert [n for n in touched if n not in nodes] == []
    into = {}
    for a, b, attrs in edges:
        found = re.search(r'comment="args ([\d,]+)"', attrs)
        into[b] = into.get(b, 0) + (len(found.group(1).split(",")) if found else 1)
    boxes = 0
    for node in plan.visible:
        if node.op is None:
            continue
        i = plan.index[id(node)]
        if plan.is_neuron(node):
            boxes += 1
            name = plan.neuron_at[i][0]
            layer = int(name.split(".")[1])
            # a box takes one edge from each of its inputs: the data, or the previous layer
            assert into.get(f"n{i}", 0) == (nin if layer == 0 else (sizes + [1])[layer - 1])
            continue
        if derived == "open" and node.op.fuses in REFERENCES:
            continue
        expected = len(plan.inputs_of(node)) if plan.is_box(node) else len(node.parents)
        assert into.get(f"n{i}_op", 0) == expected
    assert boxes == (sum(sizes) + 1 if group == "neuron" else 0)
    # no empty frame (an opened relu inside a neuron box is not drawn)
    for name, lines in cluster_bodies(source).items():
        assert any(NODE.match(line) and "->" not in line for line in lines), name


def test_a_grouped_picture_exports_to_tikz_with_each_neuron_box_and_its_numbers():
    from autograd.tikz import to_tikz
    model, loss = network((4, 1))
    plan = P.Plan(loss, "box", "neuron", model)
    tex = to_tikz(loss, params=model, group="neuron")
    for i, (name, pre, out) in plan.neuron_at.items():
        line = next(x for x in tex.splitlines() if f"({'n' + str(i)})" in x)
        assert name in line and "\\Sigma" in line
        assert P.short_number(pre.grad, 4).replace("-", "-{}") in line


def test_a_path_through_neurons_is_drawn_in_red_into_and_out_of_their_boxes():
    from autograd.paths import paths
    from nn import MLP
    model = MLP(2, [4, 1], seed=0)
    x0 = Value(1.0, label="x0")
    loss = (model([x0, Value(-2.0, label="x1")])[0] - 1.0) ** 2
    loss.backward()
    path = paths(loss, [x0])[0]
    source = to_dot(loss, params=model, group="neuron", highlight=path).source
    nodes, edges = nodes_and_edges(source)
    red = [(a, b) for a, b, attrs in edges if "#dc2626" in attrs]
    boxes = neuron_boxes(source)
    # x0 -> a first-layer box -> the output box -> sub: two red edges into boxes, two out
    assert sum(1 for _, b in red if b in boxes) == 2
    assert sum(1 for a, _ in red if a in boxes) == 2


def test_a_step_sequence_of_a_grouped_network_keeps_every_box_in_place(tmp_path):
    import json
    from autograd.render import render_steps, step_drawings
    model, loss = network((2, 1))
    drawings = step_drawings(loss, params=model, group="neuron")
    boxes = neuron_boxes(drawings[0].source)
    assert len(boxes) == 3
    places = []
    for drawing in drawings[::3]:
        laid = json.loads(G.run_graphviz(drawing.source, "json", None, ("-n2",),
                                         G.neato_command()))
        places.append({o["name"]: o["pos"] for o in laid["objects"] if "pos" in o})
    assert len(places) > 2 and all(p == places[0] for p in places)
    assert all(b in places[0] for b in boxes)
    assert len(render_steps(loss, str(tmp_path / "s{k}.svg"), params=model,
                            group="neuron")) == len(drawings)


def test_a_layers_neurons_are_drawn_in_their_order_top_to_bottom():
    model, loss = network((8, 8, 1))
    plan = P.Plan(loss, "box", "neuron", model)
    places = R.layout(loss, params=model, group="neuron")
    for layer in ("layers.0", "layers.1"):
        boxes = sorted((int(name.rsplit(".", 1)[1]), i) for i, (name, _, _)
                       in plan.neuron_at.items() if name.startswith(layer + "."))
        heights = [places[f"n{i}"][1] for _, i in boxes]
        assert heights == sorted(heights, reverse=True)   # Graphviz's y grows upwards


def test_opened_derived_ops_inside_a_neuron_box_draw_no_empty_frame():
    model, loss = network((4, 1))
    source = to_dot(loss, params=model, group="neuron", derived="open").source
    bodies = cluster_bodies(source)
    assert sorted(re.findall(r"label=<(\w+)> labeljust", source)) == ["neg", "sub"]
    for name, lines in bodies.items():
        assert any(NODE.match(line) and "->" not in line for line in lines), name


def test_a_lone_neuron_or_layer_is_grouped_under_its_own_names():
    from nn import Layer, Neuron
    neuron = Neuron(2, "tanh", seed=0)
    out = neuron([1.0, 2.0])
    out.backward()
    source = to_dot(out, group="neuron").source
    assert len(neuron_boxes(source)) == 1 and "<B>neuron</B>" in source and ">tanh<" in source
    layer = Layer(2, 2, "relu", seed=0)
    a, b = layer([1.0, 2.0])
    total = a + b
    total.backward()
    assert len(neuron_boxes(to_dot(total, group="neuron").source)) == 2
    assert "<B>neurons.1</B>" in to_dot(total, group="neuron").source
    assert re.findall(r"label=<<B>([^<]*)</B>>", to_dot(total, group="layer").source) == \
        ["layer"]
