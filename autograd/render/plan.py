"""What a picture shows: which nodes and edges, grouped how, numbered and coloured how.

This is the picture model both writers share (:mod:`autograd.render.dot` writes it as DOT,
:mod:`autograd.render.tikz` draws that DOT's layout as TikZ); it knows nothing of either
format.  In the picture:

- every value is a box with its name, ``data`` and ``grad``; **inputs** are blue,
  **constants** small and grey, the **output** amber with a double border;
- every primitive op is a grey circle (``+``, ``×``, ``exp`` ...); a **derived op** (relu,
  softplus, sub, ...) is a purple box (``derived="box"``, the default) or, with
  ``derived="open"``, its primitives drawn inside a labelled frame; a fused op (tanh,
  sigmoid, logaddexp) opens into its reference composite (:data:`COMPOSITES`);
- every edge into an op carries the **local derivative** ∂(op output)/∂(that input);
- ``group="neuron"`` draws each neuron of an ``nn`` model as one box, ``group="layer"``
  each layer as a frame (the neurons are found from the parameters' names);
- a graph bigger than ``max_nodes`` is drawn depth-limited (:func:`depth_cut`).

Nodes are numbered by their position in the topological order, never by ``id()``
(:func:`node_ids`), so the same graph gives the same picture in every process.  The grads
drawn at a backward step come from a :class:`~autograd.steps.Stepper` snapshot
(:func:`step_grads`).

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1)
>>> plan = Plan(e, "box")
>>> [plan.names[id(n)] for n in plan.visible]
['a', 'b', '#2', '1', '#4', '#5']
>>> short_number(2 / 3, 4), role_of(a, e), role_of(e, e)
('0.6667', 'input', 'output')
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

from ..errors import GraphError, GraphTooLargeError
from ..explain import format_factor, format_number, node_names
from ..graph import topological_order
from ..paths import Path
from ..steps import Step, Stepper, backward_steps
from .. import functional as _F
from ..functional import REFERENCES
from ..value import Value, enable_grad

__all__ = ["Plan", "node_ids", "grads_at", "step_grads", "backward_from_zero", "grad_lookup",
           "depth_cut", "highlights", "short_number", "role_of", "merged_inputs",
           "group_members", "box_derivatives", "param_ids", "names_from", "legend_lines",
           "composite_of", "DEFAULT_MAX_NODES", "FANOUT", "NOT_YET", "LEGEND", "COMPOSITES",
           "THEMES"]

#: Above this many drawn nodes (values + ops), :func:`~autograd.render.to_dot` draws a
#: depth-limited view.
DEFAULT_MAX_NODES = 100

#: A node feeding more ops than this is drawn once; its other uses start at alias chips.
FANOUT = 8

#: What a picture shows for a gradient not computed yet (at an early backward step).
NOT_YET = "—"

# --- colours and symbols ----------------------------------------------------------------------

# Colours: (fill, border).
INPUT = ("#dbeafe", "#1d4ed8")
OUTPUT = ("#fde68a", "#b45309")
INNER = ("#ffffff", "#6b7280")
CONST = ("#f3f4f6", "#9ca3af")
OP = ("#e5e7eb", "#4b5563")
DERIVED = ("#ede9fe", "#6d28d9")
PARAM = ("#dcfce7", "#15803d")
DATA = ("#e0f2fe", "#0369a1")
NEURON = ("#cffafe", "#0e7490")
FRAME_FILL = "#f8fafc"
ROLE_COLORS = {"input": INPUT, "constant": CONST, "output": OUTPUT, "inner": INNER,
               "parameter": PARAM, "data": DATA}
HOT = "#dc2626"
MUTED = "#6b7280"

SYMBOL = {"*": "×", "/": "÷", "**": "^"}

THEMES = {
    "light": {},
    "dark": {"#ffffff": "#1f2937", "white": "#111827", "#dbeafe": "#1e3a8a",
             "#1d4ed8": "#93c5fd", "#fde68a": "#78350f", "#b45309": "#fbbf24",
             "#f3f4f6": "#374151", "#9ca3af": "#9ca3af", "#e5e7eb": "#4b5563",
             "#4b5563": "#d1d5db", "#ede9fe": "#4c1d95", "#6d28d9": "#c4b5fd",
             "#dcfce7": "#14532d", "#15803d": "#86efac", "#e0f2fe": "#0c4a6e",
             "#0369a1": "#7dd3fc", "#374151": "#e5e7eb", "#6b7280": "#9ca3af",
             "#cffafe": "#164e63", "#0e7490": "#67e8f9", "#f8fafc": "#1e293b"},
}


# --- the nodes a picture holds ----------------------------------------------------------------

def node_ids(root: Value) -> dict[str, Value]:
    """The DOT id :func:`~autograd.render.to_dot` gives each value node it may draw:
    ``n<k>``, ``k`` the node's position in :func:`~autograd.graph.topological_order` (its op
    circle is ``n<k>_op``).

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> sorted((k, v.label) for k, v in node_ids(x * 2).items())
    [('n0', 'x'), ('n1', None), ('n2', None)]
    """
    return {f"n{i}": node for i, node in enumerate(topological_order(root))}


def group_members(out: Value) -> list[Value]:
    """The nodes inside the derived op whose output is ``out``: reachable backwards from it
    before reaching one of the op's inputs (never an input leaf of the graph)."""
    _, inputs = out.group
    stop = {id(x): True for x in inputs if isinstance(x, Value)}
    members: list[Value] = []
    seen = {id(out): True}
    stack = list(out.parents)
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in stop:
            continue
        seen[id(node)] = True
        if node.op is None and node.requires_grad:
            continue  # an input of the graph is never swallowed by a box
        members.append(node)
        stack.extend(node.parents)
    return members


def box_derivatives(out: Value, inside: dict) -> list[tuple[Value, float]]:
    """∂out/∂input for each distinct input of the derived op whose output is ``out``, summed
    over the paths through its internal nodes (``inside`` holds their ids)."""
    inputs = []  # constants too: every input of a box has its edge (no derivative drawn)
    for x in out.group[1]:
        if isinstance(x, Value) and all(x is not y for y in inputs):
            inputs.append(x)
    totals = {id(x): 0.0 for x in inputs}
    stack = [(out, 1.0)]
    while stack:  # every path from the output down to an input (derived ops are tiny)
        node, product = stack.pop()
        if node.op is None:
            continue
        local = node.op.local(*[p.data for p in node.parents], node.data)
        for parent, d in zip(node.parents, local):
            if not parent.requires_grad:
                continue
            if id(parent) in totals:
                totals[id(parent)] += product * d
            elif id(parent) in inside:
                stack.append((parent, product * d))
    return [(x, totals[id(x)]) for x in inputs]


class Plan:
    """Which nodes and edges a picture shows; built once, then written as DOT."""

    def __init__(self, root: Value, derived: str, group: Optional[str] = None,
                 params: Any = None, opened: Any = ()) -> None:
        if derived not in ("box", "open"):
            raise GraphError(f"derived must be 'box' or 'open', not {derived!r}")
        if group not in (None, "neuron", "layer"):
            raise GraphError(f"group must be 'neuron', 'layer' or None, not {group!r}")
        self.root = root
        self.order = topological_order(root)
        self.index = {id(n): i for i, n in enumerate(self.order)}
        self.names = node_names(root, self.order)
        self.derived = derived
        # hidden[id] = index of the box (derived-op output) that swallows the node
        self.hidden: dict[int, int] = {}
        # cluster[id] = index of the innermost derived op whose frame holds the node (open)
        self.cluster: dict[int, int] = {}
        self.cluster_parent: dict[int, Optional[int]] = {}
        self.members: dict[int, dict] = {}
        for node in reversed(self.order):  # outputs nearest the root first: outer groups first
            if node.op is None or node.group is None or id(node) in self.hidden:
                continue
            i = self.index[id(node)]
            members = group_members(node)
            self.members[i] = {id(m): True for m in members}
            if derived == "box":
                for m in members:
                    self.hidden[id(m)] = i
            else:
                self.cluster_parent[i] = self.cluster.get(id(node))
                for m in members:
                    self.cluster[id(m)] = i
        # neuron[id] = index of the neuron box (its output) that stands for the node;
        # frame_of[id] = the layer or opened-neuron frame ("G<k>") holding the node
        self.neurons = _find_neurons(self, params) if group is not None else []
        self.neuron: dict[int, int] = {}
        self.neuron_at: dict[int, tuple] = {}
        # (frame key, label, enclosing frame key or None), in drawing order
        self.frames: list[tuple[str, str, Optional[str]]] = []
        self.frame_of: dict[int, str] = {}
        self._box_inputs: dict[int, list] = {}
        self._box_members: dict[int, list] = {}
        names = [n[0] for n in self.neurons]
        for name in opened:
            if group != "neuron" or name not in names:
                known = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
                raise GraphError(f"open={name!r} names no neuron of this picture "
                                 f"(group={group!r}; neurons: {known or 'none'})")
        layers: dict[str, str] = {}
        for name, members, pre, out in self.neurons:
            if group == "layer":
                layer = _layer_name(name)
                if layer not in layers:
                    layers[layer] = f"G{len(self.frames)}"
                    self.frames.append((layers[layer], layer, None))
                # each neuron a light frame inside its layer's
                key = f"{layers[layer]}n{len(self.frames)}"
                self.frames.append((key, name[len(layer) + 1:] if name.startswith(layer + ".")
                                    else name, layers[layer]))
            elif name in opened:
                key = f"G{len(self.frames)}"
                self.frames.append((key, name, None))
            else:
                i = self.index[id(out)]
                self.neuron_at[i] = (name, pre, out)
                self._box_members[i] = members
                for m in members:
                    if m is not out:
                        self.neuron[id(m)] = i
                continue
            for m in members:
                self.frame_of[id(m)] = key
        # the drawn value nodes, parents first
        self.visible = [n for n in self.order
                        if id(n) not in self.hidden and id(n) not in self.neuron]

    def inputs_of(self, node: Value) -> list[tuple[Value, Any, int]]:
        """(parent, local derivative, argument position) for each edge drawn into ``node``."""
        i = self.index[id(node)]
        if i in self.neuron_at:  # a neuron box: one edge from each input from outside it
            if i in self._box_inputs:
                return self._box_inputs[i]
            found: list = []
            for m in self._box_members[i]:  # in topological order
                if m.op is None:
                    continue
                for p in m.parents:
                    if self.neuron.get(id(p)) == i or p is node:
                        continue
                    p = self.shown(p)
                    if self.neuron.get(id(p)) != i and all(p is not q for q in found):
                        found.append(p)
            self._box_inputs[i] = [(p, None, k) for k, p in enumerate(found)]
            return self._box_inputs[i]
        if self.neuron:
            return [(self.shown(p), d, k) for p, d, k in self._inputs_of(node)]
        return self._inputs_of(node)

    def _inputs_of(self, node: Value) -> list[tuple[Value, Any, int]]:
        if self.derived == "box" and node.group is not None and \
                self.index[id(node)] in self.members:
            inside = self.members[self.index[id(node)]]
            return [(x, d, k) for k, (x, d) in enumerate(box_derivatives(node, inside))]
        local = node.op.local(*[p.data for p in node.parents], node.data)
        return [(p, d, k) for k, (p, d) in enumerate(zip(node.parents, local))]

    def is_box(self, node: Value) -> bool:
        return self.derived == "box" and node.group is not None and \
            self.index[id(node)] in self.members

    def is_neuron(self, node: Value) -> bool:
        return self.index[id(node)] in self.neuron_at

    def shown(self, node: Value) -> Value:
        """The drawn node standing for ``node`` (a hidden node's box, a neuron's box)."""
        i = self.hidden.get(id(node))
        if i is not None:
            node = self.order[i]
        i = self.neuron.get(id(node))
        return node if i is None else self.order[i]


_PARAM_LABEL = re.compile(r"(?:(.*)\.)?(w\.\d+|b)")
_NEURON_IN_LAYER = re.compile(r"(?:(.*)\.)?neurons\.\d+(?:\..*)?")


def _layer_name(neuron: str) -> str:
    """``layers.0.neurons.1`` -> ``layers.0`` (the frame a neuron is drawn in)."""
    found = _NEURON_IN_LAYER.fullmatch(neuron)
    return (found.group(1) or "layer") if found else "layer"


def _find_neurons(plan: "Plan", params: Any) -> list[tuple[str, list, Value, Value]]:
    """The neurons of the graph, from its parameters' names (``layers.0.neurons.1.w.0``,
    ``...b``; from ``params`` or, without it, the labels in the graph): (name, member
    nodes, pre-activation, output) each.  The pre-activation is the first node (in
    topological order) that depends on every parameter of the neuron; the output is the
    activation applied to it alone (a fused op or a derived op of that one input), else the
    pre-activation.  Members are the nodes on paths from the parameters to the
    pre-activation, and the activation with its inner nodes.  A neuron whose parameters feed
    more than one op (a model called twice in one graph) is left ungrouped."""
    names: dict[int, str] = {}
    if params is not None:
        for name, v in _named_params(params):
            if name is not None:
                names[id(v)] = name
    consumers: dict[int, list] = {}
    for node in plan.order:
        for p in node.parents:
            consumers.setdefault(id(p), [])
            if all(c is not node for c in consumers[id(p)]):
                consumers[id(p)].append(node)
    prefixes: dict[str, list] = {}
    weighted: dict[str, bool] = {}
    for node in plan.order:
        if node.op is not None or not node.requires_grad:
            continue
        label = names.get(id(node), None if params is not None else node.label)
        found = _PARAM_LABEL.fullmatch(label) if label else None
        if found is None:
            continue
        prefix = found.group(1) or ""
        prefixes.setdefault(prefix, []).append(node)
        if found.group(2) != "b":
            weighted[prefix] = True
    wanted = {p: len(v) for p, v in prefixes.items() if p in weighted and
              all(len(consumers.get(id(x), [])) == 1 for x in v)}
    # one pass in topological order: which wanted parameters each node depends on
    reach: dict[int, dict] = {}
    pre: dict[str, Value] = {}
    for prefix in wanted:
        for x in prefixes[prefix]:
            reach[id(x)] = {prefix: {id(x): True}}
    for node in plan.order:
        if node.op is None:
            continue
        merged: dict[str, dict] = {}
        for p in node.parents:
            for prefix, got in reach.get(id(p), {}).items():
                merged.setdefault(prefix, {}).update(got)
        for prefix, got in list(merged.items()):
            if len(got) == wanted[prefix]:
                pre[prefix] = node
                del merged[prefix]  # found: not carried further
        if merged:
            reach[id(node)] = merged
    neurons = []
    for prefix in sorted(pre, key=lambda q: plan.index[id(pre[q])]):
        z = pre[prefix]
        inside: dict[int, bool] = {id(z): True}
        members = [z]
        # forward from the parameters, stopping at z; then keep what z depends on
        ahead: dict[int, bool] = {}
        stack = list(prefixes[prefix])
        while stack:
            n = stack.pop()
            if id(n) in ahead or n is z:
                continue
            ahead[id(n)] = True
            stack.extend(consumers.get(id(n), []))
        stack = list(z.parents)
        while stack:
            n = stack.pop()
            if id(n) in inside or id(n) not in ahead:
                continue
            inside[id(n)] = True
            members.append(n)
            stack.extend(n.parents)
        out = z
        for c in consumers.get(id(z), []):
            fused = c.op is not None and c.op.fuses in REFERENCES and \
                len(c.parents) == 1
            boxed = c.group is not None and \
                all(x is z for x in c.group[1] if isinstance(x, Value))
            if (fused or boxed) and len(consumers.get(id(z), [])) == 1:
                out = c
                members.append(c)
                if boxed:
                    members.extend(group_members(c))
        order = [n for n in members if id(n) in plan.index]
        order.sort(key=lambda n: plan.index[id(n)])
        neurons.append((prefix or "neuron", order, z, out))
    return neurons


def depth_cut(plan: Plan, max_nodes: Optional[int], depth: Optional[int]
               ) -> tuple[Optional[dict], Optional[int]]:
    """Distances from the output for a depth-limited view, and the depth drawn; (None, None)
    to draw everything.  A graph of more than ``max_nodes`` drawn nodes (values and ops) is
    drawn depth-limited: the nodes nearest the output, a ``⋯`` stub where the picture is
    cut, and a caption summarising the whole graph."""
    def cost(node: Value) -> int:  # a value box and its op circle; a neuron is one box
        return 1 if node.op is None or plan.is_neuron(node) else 2
    total = sum(cost(n) for n in plan.visible)
    if depth is None and (max_nodes is None or total <= max_nodes):
        return None, None
    dist = {id(plan.root): 0}
    frontier = [plan.root]
    levels = [cost(plan.root)]
    while frontier:
        nxt = []
        for node in frontier:
            if node.op is None:
                continue
            for parent, _, _ in plan.inputs_of(node):
                if id(parent) not in dist:
                    dist[id(parent)] = dist[id(node)] + 1
                    nxt.append(parent)
        if nxt:
            levels.append(sum(cost(n) for n in nxt))
        frontier = nxt
    if depth is None:
        used, depth = levels[0], 0
        while depth + 1 < len(levels) and used + levels[depth + 1] <= max_nodes:
            depth += 1
            used += levels[depth]
    else:
        used = sum(levels[:depth + 1])
        if max_nodes is not None and used > max_nodes:
            raise GraphTooLargeError(
                f"depth={depth} would draw {used} nodes, more than max_nodes={max_nodes}; "
                "pass a smaller depth, a larger max_nodes (max_nodes=None draws everything), "
                "or use autograd.explain(...) for a text view")
    return dist, depth


def highlights(plan: Plan, highlight: Any) -> tuple[dict, dict]:
    """(node ids to mark, edges to mark) for a Step, a Path or a Value.

    Edges are keyed (parent id, child id, position) → edge label text (or "")."""
    nodes: dict[int, bool] = {}
    edges: dict[tuple, str] = {}
    if highlight is None:
        return nodes, edges
    if isinstance(highlight, Step):
        node = plan.shown(highlight.node)
        nodes[id(node)] = True
        if node is highlight.node and node.op is not None and not plan.is_box(node) \
                and not plan.is_neuron(node):
            for k, parent in enumerate(node.parents):
                sent = highlight.sent[k]
                if sent is not None:
                    edges[(id(parent), id(node), k)] = (
                        f"sends {format_number(highlight.upstream)}·"
                        f"{format_factor(highlight.local[k])} = {format_number(sent)}")
        return nodes, edges
    if isinstance(highlight, Path):
        drawn = []
        for n in highlight.nodes:
            s = plan.shown(n)
            if not drawn or drawn[-1] is not s:
                drawn.append(s)
        for n in drawn:
            nodes[id(n)] = True
        positions = {}
        for a, b, k in zip(highlight.nodes, highlight.nodes[1:], highlight.edges):
            positions[(id(a), id(b))] = k
        for a, b in zip(drawn, drawn[1:]):
            k = positions.get((id(a), id(b)))
            if k is None:  # an edge into a box: find the box input's position
                k = next((j for (p, _, j) in plan.inputs_of(b) if p is a), 0)
            edges[(id(a), id(b), k)] = ""
        return nodes, edges
    if isinstance(highlight, Value):
        nodes[id(plan.shown(highlight))] = True
        return nodes, edges
    raise GraphError(f"highlight must be a Step, a Path or a Value, not "
                     f"{type(highlight).__name__}")


def short_number(x: Any, digits: Optional[int], floor: float = 0.0) -> str:
    """A number for a picture: ``digits`` significant digits (None: exact, as in tables)."""
    if digits is None:
        return format_number(x)
    x = float(x.data if isinstance(x, Value) else x)
    if abs(x) < floor:
        x = 0.0  # rounding noise of a recomputed composite (-1.11e-16 next to 2)
    text = f"{x:.{digits}g}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]  # -0 and -0.0000 are drawn 0
    return format_number(float(text)) if "e" not in text else text


def role_of(node: Value, root: Value, params: Optional[dict] = None) -> str:
    """output, parameter (named in ``params=``), input (a leaf that takes a gradient), data
    (a labelled leaf that does not, such as an MLP's ``x0``), constant, or inner."""
    if node is root:
        return "output"
    if node.op is None:
        if params and id(node) in params:
            return "parameter"
        if node.requires_grad:
            return "input"
        return "data" if node.label is not None else "constant"
    return "inner"


def merged_inputs(inputs: list) -> list[tuple[Value, list, list]]:
    """(parent, local derivatives, argument positions) per distinct parent: ``x*x`` draws
    one edge for both of its arguments."""
    merged: list[tuple[Value, list, list]] = []
    for parent, local, k in inputs:
        for p, locals_, args in merged:
            if p is parent:
                locals_.append(local)
                args.append(k)
                break
        else:
            merged.append((parent, [local], [k]))
    return merged


# --- names and numbers from the caller --------------------------------------------------------

def param_ids(params: Any) -> dict:
    if params is None:
        return {}
    return {id(v): True for _, v in _named_params(params)}


def _named_params(params: Any) -> list[tuple[str, Value]]:
    if params is None:
        return []
    if hasattr(params, "named_parameters"):
        return list(params.named_parameters())
    if isinstance(params, dict):
        return [(str(k), v) for k, v in params.items() if isinstance(v, Value)]
    return [(v.label, v) for v in params if isinstance(v, Value)]


def names_from(names: Any, params: Any) -> list[tuple[Value, str]]:
    out = [(v, name) for name, v in _named_params(params) if name is not None]
    if names is not None:
        if not hasattr(names, "items"):
            raise GraphError(f"names must be a mapping {{node: name}}, not "
                             f"{type(names).__name__}")
        for node, text in names.items():
            if not isinstance(node, Value) or not isinstance(text, str):
                raise GraphError(f"names maps Values to str, got {type(node).__name__}: "
                                 f"{type(text).__name__}")
            out.append((node, text))
    return out


_MISSING = object()


def grad_lookup(grads: Any) -> Any:
    """node -> the grad to draw (None: not computed yet)."""
    if grads is None:
        return lambda node: node.grad
    if hasattr(grads, "items"):
        def from_mapping(node: Value) -> Any:
            found = grads.get(node, _MISSING)
            return node.grad if found is _MISSING else found
        return from_mapping
    if callable(getattr(grads, "grad", None)):
        return grads.grad
    raise GraphError(f"grads must be a mapping {{node: grad}} or have .grad(node), not "
                     f"{type(grads).__name__}")


def backward_from_zero(root: Value) -> Stepper:
    """The :class:`~autograd.steps.Stepper` of a backward pass of ``root`` from zero: every
    ``grad`` set to 0 for the run and put back afterwards, so the graph is left as it was.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x; y.backward()
    >>> s = backward_from_zero(y); y.backward()     # x.grad is 12 now, the stepper's 6
    >>> s.snapshot(len(s)).grad(x), x.grad
    (6.0, 12.0)
    """
    order = topological_order(root)
    saved = [n.grad for n in order]
    try:
        for n in order:
            n.grad = 0.0
        with enable_grad():
            return backward_steps(root)
    finally:
        for n, g in zip(order, saved):
            n.grad = g


def grads_at(steps: list, k: int) -> dict:
    """Each node's grad as it stood after ``steps[0..k]`` of one backward run (a list from
    ``backward_steps``), None for nodes the run has not reached yet: the table a
    :class:`~autograd.steps.Stepper` gives as ``snapshot(k + 1)``, for a plain list of steps.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
    >>> e = (a + b) * (b + 1)
    >>> steps = list(e.backward_steps())
    >>> g = grads_at(steps, 1)          # after e's step and d's step: b holds 3, not 5
    >>> g[b], g[a], b.grad
    (3.0, None, 5.0)
    """
    if not 0 <= k < len(steps):
        raise GraphError(f"step {k} out of range: the run has {len(steps)} steps")
    grads: dict = {}
    for step in steps[:1]:
        for node in topological_order(step.node):
            grads[node] = None
    for step in steps[:k + 1]:
        grads[step.node] = step.upstream
        for parent, total in zip(step.node.parents, step.totals):
            if total is not None:
                grads[parent] = total
    return grads


def step_grads(root: Value, step: Step) -> Any:
    """The grads as they stood at ``step`` in a backward pass of ``root`` from zero (a
    :class:`~autograd.steps.Snapshot`: ``.grad(node)``, None where not reached yet); the
    graph's own ``grad`` fields are left as they are."""
    stepper = backward_from_zero(root)
    for k, s in enumerate(stepper.steps):
        if s.node is step.node:
            return stepper.snapshot(k + 1)
    raise GraphError("the step is not a step of this graph's backward pass")


# --- the legend -------------------------------------------------------------------------------

#: What the legend says for each kind of thing a picture can hold, in the order listed.
LEGEND = {
    "input": "blue: inputs", "parameter": "green: parameters", "data": "light blue: data",
    "constant": "small grey dashed: constants", "inner": "white: intermediate values",
    "output": "amber, double border: output", "op": "grey circles: primitive ops",
    "named op": "grey boxes: primitive functions (exp, log, tanh…)",
    "derived": "purple boxes: derived ops (sub, relu, tanh…)",
    "frame": "dashed frames: an opened derived op",
    "neuron": "cyan boxes: a neuron, Σ = weighted sum + bias, then its activation",
    "layer frame": "cyan frames: a layer, dashed inside it: its neurons",
    "neuron frame": "cyan frames: an opened neuron",
    "alias": "dashed chip with a name: another use of that node",
    "not yet": "grad —: not computed yet at this step", "cut": "⋯: the graph goes on",
}


def legend_lines(kinds: dict) -> list[str]:
    """The legend lines naming every kind of node drawn (two or three lines of text)."""
    items = [text for kind, text in LEGEND.items() if kind in kinds]
    items.append("edge numbers: local derivatives")
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) > 90:
            lines.append(line)
            line = ""
        line = f"{line} · {item}" if line else item
    return lines + [line]


# --- fused ops opened into their composites ---------------------------------------------------

def _tanh_picture(x: Any) -> Any:
    """tanh's reference 2σ(2x) − 1 with σ one node (open a sigmoid to see its own)."""
    return _F.sub(2.0 * _F.sigmoid(2.0 * x), Value(1.0, requires_grad=False))


#: The composite drawn for an opened fused op, and its frame's caption.
COMPOSITES = {
    "tanh": (_tanh_picture, "tanh, fused: its reference composite 2σ(2x) − 1"),
    "sigmoid": (REFERENCES["sigmoid"], "sigmoid, fused: its reference composite\n"
                "e^(x−m) / (e^(x−m) + e^(−m)), m = max(x, 0)"),
    "logaddexp": (REFERENCES["logaddexp"], "logaddexp, fused: its reference composite\n"
                  "m + log(e^(a−m) + e^(b−m)), m = max(a, b)"),
}


def composite_of(node: Value) -> tuple[Value, list[Value], dict, dict, float]:
    """A fused node (tanh, sigmoid, logaddexp) as its reference composite
    (:data:`COMPOSITES`), rebuilt on copies of the node's inputs and run backward from the
    node's gradient, so every number inside is what the unfused graph would hold.

    Returns (the composite's output, the nodes drawn in topological order, ``{id(copy):
    the real input}``, ``{id(derived-op output): {id(member): True}}``, the rounding floor).
    Derived ops inside it (sub, neg, ÷) are boxes whose inner nodes are not drawn, so the
    frame is as small as the formula; numbers below the floor (far below the scale of the
    op's inputs and gradient) are rounding noise, drawn 0.

    >>> from autograd import Value
    >>> x = Value(0.5, label="x"); y = x.tanh(); y.backward()
    >>> out, shown, real, inside, floor = composite_of(y)
    >>> round(out.data - y.data, 12), [real[id(c)].label for c in shown if id(c) in real]
    (0.0, ['x'])
    """
    fuses = node.op.fuses
    make = COMPOSITES[fuses][0] if fuses in COMPOSITES else REFERENCES[fuses]
    with enable_grad():
        proxies = tuple(Value(p.data, requires_grad=p.requires_grad) for p in node.parents)
        out = make(*proxies)
    seed = node.grad.data if isinstance(node.grad, Value) else float(node.grad)
    if out.requires_grad:
        out.backward(seed)
    order = topological_order(out)
    real = {id(x): p for x, p in zip(proxies, node.parents)}
    hidden: dict[int, bool] = {}
    inside: dict[int, dict] = {}
    for c in reversed(order):
        if c.op is None or c.group is None or id(c) in hidden:
            continue
        members = group_members(c)
        inside[id(c)] = {id(m): True for m in members}
        for m in members:
            hidden[id(m)] = True
    scale = max([abs(seed), abs(node.data)] + [abs(p.data) for p in node.parents])
    floor = 1e-12 * scale if math.isfinite(scale) else 0.0
    return out, [c for c in order if id(c) not in hidden], real, inside, floor
