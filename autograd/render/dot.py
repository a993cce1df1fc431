"""DOT text of a graph picture: :func:`to_dot` writes the :class:`~autograd.render.plan.Plan`
of a graph as Graphviz source (built with the ``graphviz`` package, imported here and
nowhere else), in a :class:`~autograd.render.graphviz.Drawing`.

Labels are Graphviz HTML-like labels escaped by :func:`~autograd.render.escape.html_text`;
edges into an op carry the local derivatives; ``highlight=`` marks a
:class:`~autograd.steps.Step` (the node and what it sends, in red), a
:class:`~autograd.paths.Path` (every edge of it) or a Value.  The DOT is deterministic: node
ids are ``n<k>`` for the value at position k of the topological order (see
:func:`~autograd.render.plan.node_ids`), so the same graph gives byte-identical DOT in every
process.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1); e.label = "e"
>>> e.backward()
>>> drawing = to_dot(e)
>>> print(drawing.source.splitlines()[0])
digraph pathgrad {
>>> "<B>5</B>" in drawing.source   # b's gradient is drawn
True
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ..errors import GraphError
from ..explain import format_number, summarize
from ..functional import REFERENCES
from ..paths import Path
from ..steps import Step
from ..value import Value
from .escape import display_text, html_text
from .graphviz import Drawing
from .plan import (COMPOSITES, DEFAULT_MAX_NODES, DERIVED, FANOUT, FRAME_FILL, HOT,
                   MUTED, NEURON, NOT_YET, OP, ROLE_COLORS, SYMBOL, THEMES, Plan,
                   box_derivatives, composite_of, depth_cut, grad_lookup, highlights,
                   legend_lines, merged_inputs, names_from, param_ids, role_of,
                   short_number, step_grads)

__all__ = ["to_dot", "to_svg", "layout"]

_FONT = "Helvetica"


# --- node and edge attributes -----------------------------------------------------------------

def _cell(text: str, *, bold: bool = False, color: Optional[str] = None, size: int = 0,
          align: str = "", colspan: int = 1) -> str:
    body = html_text(text) or " "
    if bold:
        body = f"<B>{body}</B>"
    attrs = []
    if color:
        attrs.append(f'COLOR="{color}"')
    if size:
        attrs.append(f'POINT-SIZE="{size}"')
    if attrs:
        body = f"<FONT {' '.join(attrs)}>{body}</FONT>"
    td = "<TD"
    if align:
        td += f' ALIGN="{align}"'
    if colspan > 1:
        td += f' COLSPAN="{colspan}"'
    return f"{td}>{body}</TD>"


def _value_label(node: Value, name: str, role: str, digits: Optional[int],
                 grad: Any = 0.0, named: bool = False) -> str:
    if role == "constant":
        return f"<{html_text(short_number(node.data, digits))}>"
    title_color = None if (node.label is not None or named) else MUTED
    rows = [
        f"<TR>{_cell(display_text(name), bold=True, color=title_color, colspan=2)}</TR>",
        f"<TR>{_cell('data', color=MUTED, align='LEFT')}"
        f"{_cell(short_number(node.data, digits), align='RIGHT')}</TR>",
    ]
    if node.requires_grad:
        known = grad is not None
        shown = short_number(grad, digits) if known else NOT_YET
        rows.append(f"<TR>{_cell('grad', color=MUTED, align='LEFT')}"
                    f"{_cell(shown, align='RIGHT', bold=known, color=None if known else MUTED)}"
                    "</TR>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>>")


def _value_attrs(node: Value, name: str, role: str, hot: bool, digits: Optional[int],
                 grad: Any = 0.0, named: bool = False) -> dict:
    """Graphviz attributes of a value's box."""
    fill, border = ROLE_COLORS[role]
    attrs = {"label": _value_label(node, name, role, digits, grad, named), "shape": "box",
             "style": "rounded,filled", "fillcolor": fill, "color": HOT if hot else border,
             "penwidth": "3" if hot else ("2" if role == "output" else "1")}
    if role == "constant":
        attrs.update(style="rounded,filled,dashed", fontsize="10", fontcolor="#374151",
                     height="0.25", width="0.3", margin="0.06,0.03")
    if role == "output":
        attrs["peripheries"] = "2"
    return attrs


def _neuron_attrs(plan: "Plan", node: Value, hot: bool, digits: Optional[int],
                  grad_of: Any) -> dict:
    """A neuron drawn as one box: its name, then data and grad of its pre-activation Σ
    (weighted sum + bias) and of its activation."""
    name, pre, out = plan.neuron_at[plan.index[id(node)]]
    if out.label is not None:  # a name the user gave the neuron's output ("out")
        name = f"{name} · {out.label}"
    rows = [f"<TR>{_cell(display_text(name), bold=True, colspan=3)}</TR>",
            f"<TR>{_cell(' ')}{_cell('data', color=MUTED)}{_cell('grad', color=MUTED)}</TR>"]
    stages = [("Σ", pre)]
    if out is not pre:
        act = out.group[0] if out.group is not None else out.op.fuses
        stages.append((act, out))
    for text, v in stages:
        g = grad_of(v)
        shown = NOT_YET if g is None else short_number(g, digits)
        rows.append(f"<TR>{_cell(text, align='LEFT')}"
                    f"{_cell(short_number(v.data, digits), align='RIGHT')}"
                    f"{_cell(shown, align='RIGHT', bold=g is not None)}</TR>")
    attrs = {"label": '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
             + "".join(rows) + "</TABLE>>", "shape": "box", "style": "rounded,filled",
             "fillcolor": NEURON[0], "color": HOT if hot else NEURON[1],
             "penwidth": "3" if hot else "1.5", "class": "neuron"}
    if node is plan.root:
        attrs["peripheries"] = "2"
    return attrs


def _op_attrs(symbol: str, derived: bool, hot: bool) -> dict:
    """Graphviz attributes of an op: a circle for a symbol, a box for a named op."""
    fill, border = DERIVED if derived else OP
    named = derived or symbol.isalnum()
    return {"label": f"<{html_text(symbol)}>", "shape": "box" if named else "circle",
            "style": "rounded,filled" if named else "filled", "fillcolor": fill,
            "color": HOT if hot else border, "penwidth": "2" if hot else "1",
            "fontsize": "11" if named else "12", "width": "0.3", "height": "0.3",
            "margin": "0.06,0.03" if named else "0.02"}


# --- the picture ------------------------------------------------------------------------------

class _DotWriter:
    """The DOT statements of one picture: collected per frame while the plan's nodes are
    visited, then written into a Graphviz graph, frames nested like the ops."""

    def __init__(self, plan: Plan, *, grads: Any, grad_of: Any, dist: Optional[dict],
                 cut: Optional[int], hot_nodes: dict, hot_edges: dict, digits: Optional[int],
                 show_local: bool, parameters: dict, named: dict, rankdir: str) -> None:
        self.plan, self.root = plan, plan.root
        self.grads, self.grad_of = grads, grad_of
        self.dist, self.cut = dist, cut
        self.hot_nodes, self.hot_edges = hot_nodes, hot_edges
        self.digits, self.show_local = digits, show_local
        self.parameters, self.named = parameters, named
        # neuron boxes: edges leave and enter on the flow's sides
        self.tail_port, self.head_port = {"LR": ("e", "w"), "RL": ("w", "e"),
                                          "TB": ("s", "n"), "BT": ("n", "s")}[rankdir]
        self.bodies: dict[Any, list] = {}  # frame key (None: top level) -> statements
        # Frames for open derived ops, nested like the ops themselves; a frame is keyed by
        # the index of the derived op's output ("f<i>" for a fused op drawn as its
        # composite, "G<k>..." for layers and neurons).
        self.children: dict[Any, list] = {}
        self.labels: dict[Any, tuple[str, bool]] = {}
        self.kinds: dict[str, bool] = {}  # what the legend names
        self.cut_nodes: list[str] = []
        self.uses: dict[int, int] = {}
        self.seen_uses: dict[int, int] = {}

    # --- small helpers ------------------------------------------------------------------------

    def drawn(self, node: Value) -> bool:
        dist = self.dist
        return dist is None or (id(node) in dist and dist[id(node)] <= self.cut)

    def place(self, frame: Any, line: tuple) -> None:
        self.bodies.setdefault(frame, []).append(line)

    def frame_of(self, node: Value) -> Any:
        return self.plan.cluster.get(id(node), self.plan.frame_of.get(id(node)))

    def ports(self, parent: Value, attrs: dict, into_box: bool) -> dict:
        if self.plan.is_neuron(parent):
            attrs["tailport"] = self.tail_port
        if into_box:
            attrs["headport"] = self.head_port
        return attrs

    @staticmethod
    def edge_attrs(text: str, hot_text: Optional[str]) -> dict:
        edge: dict = {}
        if hot_text is not None:
            edge.update(color=HOT, penwidth="2.5", fontcolor=HOT)
            text = hot_text or text
        elif text:
            edge["fontcolor"] = MUTED
        if text:
            edge["label"] = f"<{html_text(text)}>"
        return edge

    # --- what is drawn ------------------------------------------------------------------------

    def add_frames(self) -> None:
        """The frames the plan holds: layers and their neurons, opened neurons, opened
        derived ops."""
        plan = self.plan
        for key, text, outer in plan.frames:
            self.children.setdefault(outer, []).append(key)
            self.labels[key] = (text, False)
        for i in sorted(plan.cluster_parent):
            if id(plan.order[i]) in plan.neuron or i in plan.neuron_at:
                continue  # an opened derived op inside a neuron box: not drawn
            parent = plan.cluster_parent[i]
            if parent is None:
                parent = plan.frame_of.get(id(plan.order[i]))
            self.children.setdefault(parent, []).append(i)
            self.labels[i] = (plan.order[i].group[0], False)

    def count_uses(self) -> None:
        """Heavy fan-out (a*a*...*a): a node feeding more than FANOUT ops is drawn once with
        its first use; every other use starts at a small dashed alias chip next to its op.
        Long edges across many ranks are what make dot slow (a minute for 50 uses) and
        unreadable."""
        plan, uses = self.plan, self.uses
        for node in plan.visible:
            op = node.op
            if self.drawn(node) and op is not None and not (
                    plan.derived == "open" and op.fuses in REFERENCES):
                for parent, _, _ in merged_inputs(plan.inputs_of(node)):
                    uses[id(parent)] = uses.get(id(parent), 0) + 1

    def source_of(self, parent: Value) -> str:
        """Where an edge out of ``parent`` starts: its box, or an alias chip (fan-out)."""
        plan = self.plan
        pid = f"n{plan.index[id(parent)]}"
        if self.uses.get(id(parent), 0) <= FANOUT:
            return pid
        j = self.seen_uses.get(id(parent), 0)
        self.seen_uses[id(parent)] = j + 1
        if j == 0:
            return pid
        alias = f"{pid}_use{j}"
        self.kinds["alias"] = True
        fill, border = ROLE_COLORS[role_of(parent, self.root, self.parameters)]
        name = display_text(plan.names[id(parent)])
        self.place(None, ("node", alias, {
            "label": f"<{html_text(name)}>", "shape": "box",
            "style": "rounded,filled,dashed", "fillcolor": fill, "color": border,
            "fontsize": "10", "height": "0.25", "width": "0.3", "margin": "0.06,0.03",
            "tooltip": f"another use of {name} "
                       f"(it feeds {self.uses[id(parent)]} ops; its data and grad are at {pid})"}))
        return alias

    def draw_nodes(self) -> None:
        """Every drawn value, with the op that made it and the edges into that op."""
        plan, kinds = self.plan, self.kinds
        for node in plan.visible:
            if not self.drawn(node):
                continue
            i = plan.index[id(node)]
            nid = f"n{i}"
            hot = id(node) in self.hot_nodes
            if plan.is_neuron(node):
                self._draw_neuron(node, nid, hot)
                continue
            role = role_of(node, self.root, self.parameters)
            kinds[role] = True
            self.place(self.frame_of(node), ("node", nid, _value_attrs(
                node, plan.names[id(node)], role, hot, self.digits, self.grad_of(node),
                id(node) in self.named)))
            if self.grads is not None:  # a snapshot: its legend explains "—" on every frame
                kinds["not yet"] = True
            op = node.op
            if op is None:
                continue
            if plan.derived == "open" and op.fuses in REFERENCES:
                self._draw_fused(node, i, nid, hot)
            else:
                self._draw_op(node, i, nid, hot)

    def _draw_neuron(self, node: Value, nid: str, hot: bool) -> None:
        """A neuron box, with one edge from each input from outside it."""
        self.kinds["neuron"] = True
        if node is self.root:
            self.kinds["output"] = True
        self.place(None, ("node", nid, _neuron_attrs(self.plan, node, hot, self.digits,
                                                     self.grad_of)))
        if self.grads is not None:
            self.kinds["not yet"] = True
        has_cut = False
        for parent, _, k in self.plan.inputs_of(node):
            if not self.drawn(parent):
                has_cut = True
                continue
            hot_text = self.hot_edges.get((id(parent), id(node), k))
            self.place(None, ("edge", self.source_of(parent), nid,
                              self.ports(parent, self.edge_attrs("", hot_text), True)))
        if has_cut:
            self.cut_nodes.append(nid)

    def _draw_op(self, node: Value, i: int, nid: str, hot: bool) -> None:
        """The op that made the node (a circle, or a box for a named or derived op), and
        the edges into it labelled with their local derivatives."""
        plan, op = self.plan, node.op
        box = plan.is_box(node)
        symbol = node.group[0] if box else SYMBOL.get(op.symbol, op.symbol)
        op_frame = i if (node.group is not None and i in plan.cluster_parent) else \
            self.frame_of(node)
        self.kinds["derived" if box else ("named op" if symbol.isalnum() else "op")] = True
        self.place(op_frame, ("node", f"{nid}_op", _op_attrs(symbol, box, hot)))
        self.place(None, ("edge", f"{nid}_op", nid,
                          {"color": HOT if hot else MUTED, "penwidth": "2" if hot else "1"}))
        has_cut = False
        for parent, locals_, args in merged_inputs(plan.inputs_of(node)):
            if not self.drawn(parent):
                has_cut = True
                continue
            texts = [short_number(d, self.digits) for d in locals_] if self.show_local and \
                parent.requires_grad else []
            hot_texts = [self.hot_edges[(id(parent), id(node), k)] for k in args
                         if (id(parent), id(node), k) in self.hot_edges]
            attrs = self.edge_attrs(", ".join(texts),
                                    "; ".join(t for t in hot_texts if t) if hot_texts else None)
            if len(args) > 1:  # one drawn edge for repeated arguments (x*x): say which
                attrs["comment"] = "args " + ",".join(str(k) for k in args)
                attrs["color"] = ":invis:".join([attrs.get("color", MUTED)] * len(args))
            self.place(None, ("edge", self.source_of(parent), f"{nid}_op",
                              self.ports(parent, attrs, False)))
        if has_cut:
            self.cut_nodes.append(nid)

    def _draw_fused(self, node: Value, i: int, nid: str, hot: bool) -> None:
        """A fused node (tanh, sigmoid, logaddexp) opened into its reference composite, in
        a frame inside the frame of the derived op it makes (softplus = logaddexp(x, 0))."""
        plan, fuses = self.plan, node.op.fuses
        frame = f"f{i}"
        self.children.setdefault(i if (node.group is not None and i in plan.cluster_parent)
                                 else self.frame_of(node), []).append(frame)
        self.labels[frame] = (COMPOSITES[fuses][1] if fuses in COMPOSITES
                              else f"{fuses}, fused: its reference composite", hot)
        out, shown, real, inside, floor = composite_of(node)
        digits, kinds = self.digits, self.kinds
        ids = {}
        for j, c in enumerate(shown):
            if id(c) in real:
                ids[id(c)] = f"n{plan.index[id(real[id(c)])]}"
            elif c is out:  # the composite's output stands for the node
                ids[id(c)] = nid
            else:
                ids[id(c)] = f"{nid}_f{j}"
                role = "inner" if c.op is not None else "constant"
                kinds[role] = True
                grad = c.grad if abs(c.grad) >= floor else 0.0
                c_data = c.data if abs(c.data) >= floor else 0.0
                self.place(frame, ("node", ids[id(c)], _value_attrs(
                    Value(c_data, requires_grad=c.requires_grad),
                    f"#{i}.{j}", role, False, digits, grad)))
        has_cut = False
        for c in shown:
            if c.op is None:
                continue
            op_id = f"{ids[id(c)]}_op"
            box = id(c) in inside
            symbol = c.group[0] if box else SYMBOL.get(c.op.symbol, c.op.symbol)
            kinds["derived" if box else ("named op" if symbol.isalnum() else "op")] = True
            self.place(frame, ("node", op_id, _op_attrs(symbol, box, False)))
            self.place(None, ("edge", op_id, ids[id(c)], {}))
            if box:
                edges = box_derivatives(c, inside[id(c)])
            else:
                edges = list(zip(c.parents, c.op.local(*[p.data for p in c.parents], c.data)))
            for parent, local, args in merged_inputs([(p, d, k) for k, (p, d) in
                                                      enumerate(edges)]):
                if id(parent) in real and not self.drawn(real[id(parent)]):
                    has_cut = True
                    continue
                texts = [short_number(d, digits, floor) for d in local] \
                    if self.show_local and parent.requires_grad else []
                attrs = self.edge_attrs(", ".join(texts), None)
                if len(args) > 1:
                    attrs["comment"] = "args " + ",".join(str(k) for k in args)
                self.place(None, ("edge", ids[id(parent)], op_id, attrs))
        if has_cut:
            self.cut_nodes.append(nid)

    def draw_cuts(self) -> None:
        """A ``⋯`` stub before each op whose inputs the depth limit cut off."""
        for nid in self.cut_nodes:
            self.place(None, ("node", f"{nid}_cut", {"label": "⋯", "shape": "plaintext",
                                                     "fontcolor": MUTED, "fontsize": "16"}))
            self.place(None, ("edge", f"{nid}_cut", f"{nid}_op", {"style": "dashed"}))

    # --- writing ------------------------------------------------------------------------------

    def frame_attrs(self, child: Any) -> dict:
        """How a frame looks: a neuron's inside its layer's, a layer or an opened neuron,
        or an opened derived op (red when it holds the highlight)."""
        text, hot = self.labels[child]
        if isinstance(child, str) and "n" in child and child.startswith("G"):
            return dict(label=f"<{html_text(display_text(text))}>", style="rounded,dashed",
                        color=NEURON[1], fontcolor=NEURON[1], fontsize="9",
                        labeljust="l", labelloc="t", penwidth="0.8")
        if isinstance(child, str) and child.startswith("G"):  # a layer or neuron
            return dict(label=f"<<B>{html_text(display_text(text))}</B>>", style="rounded",
                        color=NEURON[1], fontcolor=NEURON[1], fontsize="11",
                        labeljust="l", labelloc="t", penwidth="1.5", bgcolor=FRAME_FILL)
        caption = html_text(text).replace("<BR/>", '<BR ALIGN="LEFT"/>')
        if "\n" in text:  # a two-line caption (name, then formula) flush left
            caption += '<BR ALIGN="LEFT"/>'
        return dict(label=f"<{caption}>", style="rounded,dashed",
                    color=HOT if hot else DERIVED[1], fontcolor=DERIVED[1],
                    fontsize="10", labeljust="l", labelloc="t", penwidth="2" if hot else "1")

    def _fill(self, target: Any, frame: Any) -> None:
        for kind, *rest in self.bodies.get(frame, []):
            if kind == "node":
                target.node(rest[0], **rest[1])
            else:
                target.edge(rest[0], rest[1], **rest[2])

    def write(self, g: Any) -> None:
        """Write the statements into ``g``.  Each frame goes into the graph that encloses it
        once everything inside it is written: an explicit stack of (graph, frame, next
        child, enclosing graph), so no recursion, and children in their order."""
        self._fill(g, None)
        stack: list[tuple] = [(g, None, 0, None)]
        while stack:
            target, frame, k, outer = stack.pop()
            kids = self.children.get(frame, [])
            if k < len(kids):
                stack.append((target, frame, k + 1, outer))
                child = kids[k]
                sub = g.__class__(name=f"cluster_{child}" if isinstance(child, str)
                                  else f"cluster_n{child}")
                sub.attr(**self.frame_attrs(child))
                self._fill(sub, child)
                stack.append((sub, child, 0, target))
            elif outer is not None:
                outer.subgraph(target)


    def caption(self, highlight: Any, legend: bool, group: Optional[str]) -> list[str]:
        """The lines under the picture: the highlight's story, what a depth-limited view
        leaves out, and the legend of every kind of thing drawn."""
        plan, kinds = self.plan, self.kinds
        lines = []
        if isinstance(highlight, Step) and highlight.node.op is None:
            held = self.grad_of(highlight.node)  # a leaf step tells what it holds then
            lines.append(display_text(f"{highlight.name()}: input, holds "
                                      f"{NOT_YET if held is None else format_number(held)}",
                                      200))
        elif isinstance(highlight, (Step, Path)):
            lines.append(display_text(str(highlight), 200))
        if self.dist is not None:
            lines.append(display_text(summarize(self.root), 200))
            shown = sum(1 for n in plan.visible if self.drawn(n))
            lines.append(f"showing the {shown} values within {self.cut} steps of the output; "
                         "pass depth= or max_nodes= to see more")
        if legend:
            if any(not (isinstance(k, str) and k.startswith("G")) for k in self.labels):
                kinds["frame"] = True
            if self.cut_nodes:
                kinds["cut"] = True
            if plan.frames:
                kinds["layer frame" if group == "layer" else "neuron frame"] = True
            lines.extend(legend_lines(kinds))
        return lines


def to_dot(root: Value, *, highlight: Any = None, derived: str = "box",
           show_local: bool = True, rankdir: str = "LR",
           max_nodes: Optional[int] = DEFAULT_MAX_NODES, depth: Optional[int] = None,
           legend: bool = True, digits: Optional[int] = 4, names: Any = None,
           params: Any = None, grads: Any = None, theme: str = "light",
           background: Optional[str] = None, group: Optional[str] = None,
           open: Any = ()) -> Drawing:
    """The graph of ``root`` as a :class:`Drawing` (DOT source; ``.svg()``, ``.save()``).

    ``names``: ``{node: "name"}`` names nodes (over their labels).  ``params``: a Module
    (anything with ``named_parameters()``), a ``{name: Value}`` dict or a list of Values:
    drawn green as parameters, named by their names.  ``grads``: the gradients to show
    instead of each node's current ``grad`` — a mapping ``{node: grad or None}`` (None:
    not computed yet, drawn "—"; nodes left out show their ``grad``) or an object with
    ``.grad(node)``; with a Step as ``highlight`` and no ``grads``, the grads are those of
    a backward pass from zero up to and including that step (see
    :func:`~autograd.render.plan.step_grads`).
    ``theme``: ``"light"`` or ``"dark"``; ``background``: a colour or ``"transparent"``
    (edges and captions stay a mid grey, readable on light and dark pages).

    ``highlight``: a Step from ``backward_steps``, a Path from ``paths`` or a Value.
    ``derived``: ``"box"`` draws each derived op as one box, ``"open"`` shows its primitives
    inside a frame.  ``show_local``: label edges with local derivatives.  ``max_nodes`` /
    ``depth``: a depth-limited view, see :func:`~autograd.render.plan.depth_cut`
    (``max_nodes=None`` draws everything).  ``digits``: significant digits of the numbers
    drawn (None: every digit).

    ``group="neuron"``: each neuron of an ``nn`` model (found from its parameters' names,
    ``layers.0.neurons.1.w.0`` ..., from ``params`` or the labels in the graph) is one box
    with its pre-activation ``Σ`` (weighted sum + bias) and activation, data and grad of
    each; ``open=["layers.0.neurons.1"]`` draws the named neurons' nodes in a frame instead.
    ``group="layer"``: each layer is a frame holding its neurons' nodes.

    >>> w, b = Value(0.5, label="w.0"), Value(0.1, label="b")    # a neuron's parameters
    >>> out = (w * Value(2.0, label="x0", requires_grad=False) + b).relu()
    >>> out.backward()
    >>> to_dot(out, group="neuron").source.count("class=neuron")  # one box: Σ and relu
    1
    """
    if not isinstance(root, Value):
        raise GraphError(f"to_dot expects a Value, not {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise GraphError(f"rankdir must be LR, TB, RL or BT, not {rankdir!r}")
    import graphviz  # the only import of graphviz in pathgrad

    if theme not in THEMES:
        raise GraphError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    if isinstance(open, str):
        open = [open]
    plan = Plan(root, derived, group, params, list(open))
    parameters = param_ids(params)
    for key, text in names_from(names, params):
        plan.names[id(key)] = text
    named = {id(k): True for k, _ in names_from(names, params)}
    if grads is None and isinstance(highlight, Step):
        grads = step_grads(root, highlight)
    dist, cut = depth_cut(plan, max_nodes, depth)
    hot_nodes, hot_edges = highlights(plan, highlight)
    writer = _DotWriter(plan, grads=grads, grad_of=grad_lookup(grads), dist=dist, cut=cut,
                        hot_nodes=hot_nodes, hot_edges=hot_edges, digits=digits,
                        show_local=show_local, parameters=parameters, named=named,
                        rankdir=rankdir)

    g = graphviz.Digraph("pathgrad")
    # neuron boxes: wider gaps between ranks
    ranksep = "0.8" if plan.neuron_at else "0.35"
    g.attr(rankdir=rankdir, bgcolor="white", fontname=_FONT, nodesep="0.25", ranksep=ranksep,
           labelloc="b", fontsize="11")
    if plan.neuron_at:
        g.attr(ordering="out")  # a layer's neurons in their order, top to bottom
    g.attr("node", fontname=_FONT, fontsize="11")
    g.attr("edge", fontname=_FONT, fontsize="9", color=MUTED, arrowsize="0.6")
    writer.add_frames()
    writer.count_uses()
    writer.draw_nodes()
    writer.draw_cuts()
    writer.write(g)
    caption = writer.caption(highlight, legend, group)
    if caption:
        g.attr(label="<" + "<BR/>".join(html_text(c) for c in caption) + ">", fontcolor=MUTED)
    return Drawing(_themed(g.source, theme, background))


def _themed(source: str, theme: str, background: Optional[str]) -> str:
    """Recolour the DOT for a theme (exact colour swaps, so the DOT stays deterministic)."""
    colors = THEMES[theme]
    if theme == "dark":
        source = re.sub(r'(?<=")#[0-9a-f]{6}(?=")',
                        lambda m: colors.get(m.group(0), m.group(0)), source)
        source = source.replace("bgcolor=white ", 'bgcolor="#111827" ', 1)
        source = source.replace("\tnode [", '\tnode [fontcolor="#f3f4f6" ', 1)
    if background is not None:
        source = source.replace('bgcolor="#111827"' if theme == "dark" else "bgcolor=white",
                                f'bgcolor="{html_text(background)}"', 1)
    return source


def to_svg(root: Value, **options: Any) -> str:
    """The picture of ``root``'s graph as SVG text (options as for :func:`to_dot`)."""
    return to_dot(root, **options).svg()


def layout(root: Value, *, sizes: bool = False, **options: Any) -> dict:
    """``{node id: (x, y)}`` in points of ``to_dot(root, **options)`` laid out by dot (see
    :meth:`Drawing.layout`; TikZ export and step sequences place nodes with it)."""
    return to_dot(root, **options).layout(sizes=sizes)


