"""Pictures of a graph with Graphviz: DOT source, SVG, PNG, inline in notebooks.

:func:`to_dot` turns the graph of a Value into a :class:`Drawing` (its DOT source built
with the ``graphviz`` package, imported here and nowhere else); :func:`render` writes it
to a file.  In the picture:

- every value is a box with its name, ``data`` and ``grad``; **inputs** are blue,
  **constants** small and grey, the **output** amber with a double border;
- every primitive op is a grey circle (``+``, ``×``, ``exp`` ...); a **derived op** (relu,
  softplus, sub, ...) is a purple box (``derived="box"``, the default) or, with
  ``derived="open"``, its primitives drawn inside a labelled frame; a fused op (tanh,
  sigmoid, logaddexp) opens into its reference composite, recomputed on copies of its
  inputs and run backward from its gradient, so every number inside is real;
- every edge into an op carries the **local derivative** ∂(op output)/∂(that input), so
  the product along a path is that path's term of the gradient (see :mod:`autograd.paths`);
- ``highlight=`` a :class:`~autograd.steps.Step` (the node and what it sends, in red), a
  :class:`~autograd.paths.Path` (every edge of it, in red) or a Value.

The DOT is deterministic: nodes are numbered by their position in the topological order,
never by ``id()``, so the same graph gives byte-identical DOT in every process.  Labels are
escaped for Graphviz's HTML-like labels (``& < > " '`` as entities, each backslash doubled
so Graphviz's ``\\N``-style escapes never fire, control characters shown as ``\\x..``), so
any text is drawn literally and never injects markup.

``group="neuron"`` draws each neuron of an ``nn`` model as one box (its weighted sum ``Σ``
and activation, data and grad of each), ``group="layer"`` each layer as a frame; the
neurons are found from the parameters' names when the picture is drawn.

A graph bigger than ``max_nodes`` is drawn depth-limited: the nodes nearest the output,
a ``⋯`` stub where the picture is cut, and a caption summarising the whole graph.

Rendering runs the system ``dot`` if it is on PATH, else the ``graphviz-pure`` program of
the pip package (``pip install "pathgrad[draw]"``); with neither, a
:class:`~autograd.errors.GraphvizNotFoundError` names both fixes.

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

import math
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from typing import Any, Optional, Union

from .errors import GraphError, GraphTooLargeError, GraphvizNotFoundError, GraphvizTimeoutError
from .files import write_atomically
from .explain import format_factor, format_number, node_names, summarize
from .graph import topological_order
from .paths import Path
from .steps import Step, backward_steps
from . import functional as _F
from .functional import REFERENCES
from .value import Value, attach, enable_grad

__all__ = ["Drawing", "to_dot", "to_svg", "render", "layout", "render_steps",
           "step_drawings", "grads_at", "step_grads", "graphviz_command", "display_text",
           "repr_mimebundle", "node_ids", "DEFAULT_MAX_NODES", "GRAPHVIZ_TIMEOUT", "FANOUT",
           "LEGEND"]

#: Above this many drawn nodes (values + ops), :func:`to_dot` draws a depth-limited view.
DEFAULT_MAX_NODES = 100

#: Seconds Graphviz may take for one picture before :class:`GraphvizTimeoutError`.
GRAPHVIZ_TIMEOUT = 60.0

#: A node feeding more ops than this is drawn once; its other uses start at alias chips.
FANOUT = 8

#: The longest label drawn in full; longer ones end in "…".
MAX_LABEL = 40

_FIX = ('install Graphviz: `apt-get install graphviz` (or brew/choco/conda install '
        'graphviz), or `pip install "pathgrad[draw]"` for the pip-installable graphviz-pure')

# Colours: (fill, border).
_INPUT = ("#dbeafe", "#1d4ed8")
_OUTPUT = ("#fde68a", "#b45309")
_INNER = ("#ffffff", "#6b7280")
_CONST = ("#f3f4f6", "#9ca3af")
_OP = ("#e5e7eb", "#4b5563")
_DERIVED = ("#ede9fe", "#6d28d9")
_PARAM = ("#dcfce7", "#15803d")
_DATA = ("#e0f2fe", "#0369a1")
_NEURON = ("#cffafe", "#0e7490")
_FRAME_FILL = "#f8fafc"
_ROLE_COLORS = {"input": _INPUT, "constant": _CONST, "output": _OUTPUT, "inner": _INNER,
                "parameter": _PARAM, "data": _DATA}
_HOT = "#dc2626"
_MUTED = "#6b7280"
_FONT = "Helvetica"

_SYMBOL = {"*": "×", "/": "÷", "**": "^"}


# --- text ---------------------------------------------------------------------------------

def display_text(text: str, limit: int = MAX_LABEL) -> str:
    """How a label is shown: characters that cannot be drawn (controls, format characters,
    surrogates, unassigned code points) as ``\\x..``/``\\u....`` escapes, newlines kept,
    and at most ``limit`` characters per line (then "…").

    >>> display_text("a\\tb\\u202ec")
    'a\\\\x09b\\\\u202ec'
    """
    lines = []
    for line in text.split("\n"):
        shown = []
        for ch in line:
            if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
                code = ord(ch)
                shown.append(f"\\x{code:02x}" if code < 0x100 else
                             f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
            else:
                shown.append(ch)
        line = "".join(shown)
        if len(line) > limit:
            line = line[:limit - 1] + "…"
        lines.append(line)
    return "\n".join(lines)


def _html(text: str) -> str:
    """Escape display text for a Graphviz HTML-like label; newlines become <BR/>."""
    out = []
    for ch in text:
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "'":
            out.append("&#39;")
        elif ch == "]":
            out.append("&#93;")  # Graphviz 2.43 rejects a "]" right before "</B>"
        elif ch == "\\":
            out.append("&#92;&#92;")  # Graphviz reads \\ as one backslash, \N etc. as escapes
        elif ch == "\n":
            out.append("<BR/>")
        else:
            out.append(ch)
    return "".join(out)


def _cell(text: str, *, bold: bool = False, color: Optional[str] = None, size: int = 0,
          align: str = "", colspan: int = 1) -> str:
    body = _html(text) or " "
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


# --- finding and running Graphviz -------------------------------------------------------------

def graphviz_command() -> list[str]:
    """The program that turns DOT into pictures: the system ``dot`` when it is on PATH,
    else the ``graphviz-pure`` program of the pip package (on PATH or next to the running
    Python).  Raises :class:`GraphvizNotFoundError` naming both fixes when neither exists."""
    dot = shutil.which("dot")
    if dot:
        return [dot]
    pure = shutil.which("graphviz-pure")
    if pure:
        return [pure]
    here = os.path.dirname(os.path.abspath(sys.executable))
    for name in ("graphviz-pure", "graphviz-pure.exe"):
        candidate = os.path.join(here, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate]
    raise GraphvizNotFoundError(
        "cannot draw: neither the system Graphviz `dot` program nor the pip-installed "
        f"`graphviz-pure` was found on PATH; {_FIX}")


_RASTER = ("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp")


def _raster_args(fmt: str, dpi: Optional[float], scale: Optional[float]) -> tuple:
    """``-Gdpi=`` for raster output: ``dpi`` dots per inch, or ``scale`` × 96 (Graphviz's
    default for PNG)."""
    if dpi is None and scale is None:
        return ()
    value = dpi if dpi is not None else 96.0 * float(scale)
    if not isinstance(value, (int, float)) or not 1 <= value <= 2400:
        raise GraphError(f"dpi must be a number from 1 to 2400 (scale from 0.01 to 25), "
                         f"got dpi={dpi!r} scale={scale!r}")
    return (f"-Gdpi={value:g}",) if fmt in _RASTER else ()


def _neato_command() -> list[str]:
    """The system ``neato`` (draws at pinned positions), found beside ``dot``."""
    dot = graphviz_command()[0]
    for candidate in (shutil.which("neato"), os.path.join(os.path.dirname(dot), "neato")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate]
    raise GraphvizNotFoundError(
        "a step sequence with fixed node positions needs the system Graphviz `neato` "
        "program (it comes with `dot`): apt-get install graphviz (or brew/choco/conda "
        "install graphviz)")


def _run_graphviz(source: str, fmt: str, timeout: Optional[float] = None,
                  args: tuple = (), program: Optional[list] = None) -> bytes:
    """Run Graphviz on ``source``; at most ``timeout`` seconds (default
    :data:`GRAPHVIZ_TIMEOUT`), then :class:`GraphvizTimeoutError` naming the fallbacks."""
    command = (program or graphviz_command()) + list(args) + [f"-T{fmt}"]
    limit = GRAPHVIZ_TIMEOUT if timeout is None else timeout
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                              timeout=limit)
    except subprocess.TimeoutExpired:
        nodes = source.count(" [label=")
        raise GraphvizTimeoutError(
            f"{os.path.basename(command[0])} -T{fmt} did not finish within {limit:g} s "
            f"({nodes} labelled nodes); draw less (depth=3 or a smaller max_nodes), write "
            "the DOT source instead (a .dot file, or drawing.source) and run dot on it "
            "yourself, use autograd.explain(...) for a text view, or pass a larger "
            "timeout=") from None
    except OSError as exc:  # found but not runnable
        raise GraphvizNotFoundError(f"cannot run {command[0]}: {exc}; {_FIX}") from exc
    if done.returncode != 0:
        raise GraphError(f"{os.path.basename(command[0])} -T{fmt} failed (exit "
                         f"{done.returncode}): {done.stderr.decode('utf-8', 'replace')[:500]}")
    return done.stdout


class Drawing:
    """DOT source of a graph picture, with ways to turn it into SVG, PNG or a file.

    ``str(drawing)`` and ``drawing.source`` are the DOT text; Jupyter shows it as SVG.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<Drawing: {self.source.count(chr(10))} lines of DOT>"

    def pipe(self, format: str = "svg", *, timeout: Optional[float] = None,
             dpi: Optional[float] = None, scale: Optional[float] = None) -> bytes:
        """The picture in ``format`` (``svg``, ``png``, ``pdf`` ...) as bytes; Graphviz may
        take ``timeout`` seconds (default :data:`GRAPHVIZ_TIMEOUT`).  Raster formats take
        ``dpi`` (default 96) or ``scale`` (2 doubles the pixels: 192 dpi)."""
        return _run_graphviz(self.source, format, timeout, _raster_args(format, dpi, scale))

    def layout(self, *, sizes: bool = False, timeout: Optional[float] = None) -> dict:
        """Where Graphviz ``dot`` puts each node: ``{node id: (x, y)}`` in points (1/72
        inch), origin at the bottom left, y upwards; with ``sizes=True`` ``(x, y, width,
        height)``.  Node ids are the DOT's: ``n<k>`` for the value at position k of
        :func:`~autograd.graph.topological_order`, ``n<k>_op`` for the op that made it,
        ``n<k>_cut``, ``n<k>_use<j>`` (alias chips) and ``n<k>_f<j>`` (inside an opened
        fused op).  The same ids in every process."""
        found = _layout_json(self.source, timeout)
        out = {}
        for name, (x, y, w, h) in found["nodes"].items():
            out[name] = (x, y, w, h) if sizes else (x, y)
        return out

    def svg(self) -> str:
        """The picture as SVG text."""
        return self.pipe("svg").decode("utf-8")

    def save(self, path: Union[str, os.PathLike], format: Optional[str] = None, *,
             timeout: Optional[float] = None, dpi: Optional[float] = None,
             scale: Optional[float] = None) -> str:
        """Write the picture to ``path`` atomically; the format comes from the suffix
        (``.svg``, ``.png``, ``.pdf``; ``.dot``/``.gv`` write the DOT source)."""
        path = os.fspath(path)
        fmt = (format or os.path.splitext(path)[1].lstrip(".") or "svg").lower()
        if fmt in ("dot", "gv"):
            data = self.source.encode("utf-8")
        else:
            data = self.pipe(fmt, timeout=timeout, dpi=dpi, scale=scale)
        write_atomically(path, data)
        return path

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        try:
            return {"image/svg+xml": self.svg(), "text/plain": repr(self)}
        except GraphvizNotFoundError as exc:
            return {"text/plain": f"{self!r}\n({exc})"}


# --- which nodes are drawn, and how -----------------------------------------------------------

def _group_members(out: Value) -> list[Value]:
    """The nodes inside the derived op whose output is ``out``: reachable backwards from it
    before reaching one of the op's inputs (never an input leaf of the graph)."""
    _, inputs = out.group
    stop = {id(x): True for x in inputs if isinstance(x, Value)}
    members: list[Value] = []
    seen = {id(out): True}
    stack = list(out._parents)
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in stop:
            continue
        seen[id(node)] = True
        if node._op is None and node.requires_grad:
            continue  # an input of the graph is never swallowed by a box
        members.append(node)
        stack.extend(node._parents)
    return members


def _box_derivatives(out: Value, inside: dict) -> list[tuple[Value, float]]:
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
        if node._op is None:
            continue
        local = node._op.local(*[p.data for p in node._parents], node.data)
        for parent, d in zip(node._parents, local):
            if not parent.requires_grad:
                continue
            if id(parent) in totals:
                totals[id(parent)] += product * d
            elif id(parent) in inside:
                stack.append((parent, product * d))
    return [(x, totals[id(x)]) for x in inputs]


class _Plan:
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
            if node._op is None or node.group is None or id(node) in self.hidden:
                continue
            i = self.index[id(node)]
            members = _group_members(node)
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
                if m._op is None:
                    continue
                for p in m._parents:
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
            return [(x, d, k) for k, (x, d) in enumerate(_box_derivatives(node, inside))]
        local = node._op.local(*[p.data for p in node._parents], node.data)
        return [(p, d, k) for k, (p, d) in enumerate(zip(node._parents, local))]

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


def _find_neurons(plan: "_Plan", params: Any) -> list[tuple[str, list, Value, Value]]:
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
        for p in node._parents:
            consumers.setdefault(id(p), [])
            if all(c is not node for c in consumers[id(p)]):
                consumers[id(p)].append(node)
    prefixes: dict[str, list] = {}
    weighted: dict[str, bool] = {}
    for node in plan.order:
        if node._op is not None or not node.requires_grad:
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
        if node._op is None:
            continue
        merged: dict[str, dict] = {}
        for p in node._parents:
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
        stack = list(z._parents)
        while stack:
            n = stack.pop()
            if id(n) in inside or id(n) not in ahead:
                continue
            inside[id(n)] = True
            members.append(n)
            stack.extend(n._parents)
        out = z
        for c in consumers.get(id(z), []):
            fused = c._op is not None and c._op.fuses in REFERENCES and \
                len(c._parents) == 1
            boxed = c.group is not None and \
                all(x is z for x in c.group[1] if isinstance(x, Value))
            if (fused or boxed) and len(consumers.get(id(z), [])) == 1:
                out = c
                members.append(c)
                if boxed:
                    members.extend(_group_members(c))
        order = [n for n in members if id(n) in plan.index]
        order.sort(key=lambda n: plan.index[id(n)])
        neurons.append((prefix or "neuron", order, z, out))
    return neurons


def _depth_cut(plan: _Plan, max_nodes: Optional[int], depth: Optional[int]
               ) -> tuple[Optional[dict], Optional[int]]:
    """Distances from the output for a depth-limited view, and the depth drawn; (None, None)
    to draw everything."""
    def cost(node: Value) -> int:  # a value box and its op circle; a neuron is one box
        return 1 if node._op is None or plan.is_neuron(node) else 2
    total = sum(cost(n) for n in plan.visible)
    if depth is None and (max_nodes is None or total <= max_nodes):
        return None, None
    dist = {id(plan.root): 0}
    frontier = [plan.root]
    levels = [cost(plan.root)]
    while frontier:
        nxt = []
        for node in frontier:
            if node._op is None:
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


def _highlights(plan: _Plan, highlight: Any) -> tuple[dict, dict]:
    """(node ids to mark, edges to mark) for a Step, a Path or a Value.

    Edges are keyed (parent id, child id, position) → edge label text (or "")."""
    nodes: dict[int, bool] = {}
    edges: dict[tuple, str] = {}
    if highlight is None:
        return nodes, edges
    if isinstance(highlight, Step):
        node = plan.shown(highlight.node)
        nodes[id(node)] = True
        if node is highlight.node and node._op is not None and not plan.is_box(node) \
                and not plan.is_neuron(node):
            for k, parent in enumerate(node._parents):
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


def _short(x: Any, digits: Optional[int], floor: float = 0.0) -> str:
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


#: What a picture shows for a gradient not computed yet (at an early backward step).
NOT_YET = "—"


def _value_label(node: Value, name: str, role: str, digits: Optional[int],
                 grad: Any = 0.0, named: bool = False) -> str:
    if role == "constant":
        return f"<{_html(_short(node.data, digits))}>"
    title_color = None if (node.label is not None or named) else _MUTED
    rows = [
        f"<TR>{_cell(display_text(name), bold=True, color=title_color, colspan=2)}</TR>",
        f"<TR>{_cell('data', color=_MUTED, align='LEFT')}"
        f"{_cell(_short(node.data, digits), align='RIGHT')}</TR>",
    ]
    if node.requires_grad:
        shown = NOT_YET if grad is None else _short(grad, digits)
        rows.append(f"<TR>{_cell('grad', color=_MUTED, align='LEFT')}"
                    f"{_cell(shown, align='RIGHT', bold=grad is not None, color=None if grad is not None else _MUTED)}</TR>")
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
            + "".join(rows) + "</TABLE>>")


def _role(node: Value, root: Value, params: Optional[dict] = None) -> str:
    """output, parameter (named in ``params=``), input (a leaf that takes a gradient), data
    (a labelled leaf that does not, such as an MLP's ``x0``), constant, or inner."""
    if node is root:
        return "output"
    if node._op is None:
        if params and id(node) in params:
            return "parameter"
        if node.requires_grad:
            return "input"
        return "data" if node.label is not None else "constant"
    return "inner"


def _merged_inputs(inputs: list) -> list[tuple[Value, list, list]]:
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


def _value_attrs(node: Value, name: str, role: str, hot: bool, digits: Optional[int],
                 grad: Any = 0.0, named: bool = False) -> dict:
    """Graphviz attributes of a value's box."""
    fill, border = _ROLE_COLORS[role]
    attrs = {"label": _value_label(node, name, role, digits, grad, named), "shape": "box",
             "style": "rounded,filled", "fillcolor": fill, "color": _HOT if hot else border,
             "penwidth": "3" if hot else ("2" if role == "output" else "1")}
    if role == "constant":
        attrs.update(style="rounded,filled,dashed", fontsize="10", fontcolor="#374151",
                     height="0.25", width="0.3", margin="0.06,0.03")
    if role == "output":
        attrs["peripheries"] = "2"
    return attrs


def _neuron_attrs(plan: "_Plan", node: Value, hot: bool, digits: Optional[int],
                  grad_of: Any) -> dict:
    """A neuron drawn as one box: its name, then data and grad of its pre-activation Σ
    (weighted sum + bias) and of its activation."""
    name, pre, out = plan.neuron_at[plan.index[id(node)]]
    if out.label is not None:  # a name the user gave the neuron's output ("out")
        name = f"{name} · {out.label}"
    rows = [f"<TR>{_cell(display_text(name), bold=True, colspan=3)}</TR>",
            f"<TR>{_cell(' ')}{_cell('data', color=_MUTED)}{_cell('grad', color=_MUTED)}</TR>"]
    stages = [("Σ", pre)]
    if out is not pre:
        act = out.group[0] if out.group is not None else out._op.fuses
        stages.append((act, out))
    for text, v in stages:
        g = grad_of(v)
        rows.append(f"<TR>{_cell(text, align='LEFT')}"
                    f"{_cell(_short(v.data, digits), align='RIGHT')}"
                    f"{_cell(NOT_YET if g is None else _short(g, digits), align='RIGHT', bold=g is not None)}</TR>")
    attrs = {"label": '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
             + "".join(rows) + "</TABLE>>", "shape": "box", "style": "rounded,filled",
             "fillcolor": _NEURON[0], "color": _HOT if hot else _NEURON[1],
             "penwidth": "3" if hot else "1.5", "class": "neuron"}
    if node is plan.root:
        attrs["peripheries"] = "2"
    return attrs


def _op_attrs(symbol: str, derived: bool, hot: bool) -> dict:
    """Graphviz attributes of an op: a circle for a symbol, a box for a named op."""
    fill, border = _DERIVED if derived else _OP
    named = derived or symbol.isalnum()
    return {"label": f"<{_html(symbol)}>", "shape": "box" if named else "circle",
            "style": "rounded,filled" if named else "filled", "fillcolor": fill,
            "color": _HOT if hot else border, "penwidth": "2" if hot else "1",
            "fontsize": "11" if named else "12", "width": "0.3", "height": "0.3",
            "margin": "0.06,0.03" if named else "0.02"}


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


def _draw_composite(node: Value, nid: str, frame: str, plan: "_Plan", place: Any, drawn: Any,
                    show_local: bool, digits: Optional[int], edge_attrs: Any,
                    kinds: dict) -> bool:
    """Draw a fused node (tanh, sigmoid, logaddexp) as its reference composite inside
    ``frame``: the composite is rebuilt on the node's inputs and run backward from the node's
    gradient, so every number inside is what the unfused graph would hold.  Derived ops
    inside it (sub, neg, ÷) are purple boxes, so the frame is as small as the formula.
    Returns whether an input was cut off by a depth limit."""
    make = COMPOSITES[node._op.fuses][0] if node._op.fuses in COMPOSITES else \
        REFERENCES[node._op.fuses]
    with enable_grad():
        proxies = tuple(Value(p.data, requires_grad=p.requires_grad) for p in node._parents)
        out = make(*proxies)
    seed = node.grad.data if isinstance(node.grad, Value) else float(node.grad)
    if out.requires_grad:
        out.backward(seed)
    order = topological_order(out)
    real = {id(x): p for x, p in zip(proxies, node._parents)}
    # derived ops inside the composite are drawn as boxes: their inner nodes are hidden
    hidden: dict[int, bool] = {}
    inside: dict[int, dict] = {}
    for c in reversed(order):
        if c._op is None or c.group is None or id(c) in hidden:
            continue
        members = _group_members(c)
        inside[id(c)] = {id(m): True for m in members}
        for m in members:
            hidden[id(m)] = True
    # numbers far below the scale of the op's inputs and gradient are rounding noise
    scale = max([abs(seed), abs(node.data)] + [abs(p.data) for p in node._parents])
    floor = 1e-12 * scale if math.isfinite(scale) else 0.0
    ids = {}
    shown = [c for c in order if id(c) not in hidden]
    for j, c in enumerate(shown):
        if id(c) in real:
            ids[id(c)] = f"n{plan.index[id(real[id(c)])]}"
        elif c is out:
            ids[id(c)] = nid
        else:
            ids[id(c)] = f"{nid}_f{j}"
            role = "inner" if c._op is not None else "constant"
            kinds[role] = True
            grad = c.grad if abs(c.grad) >= floor else 0.0
            c_data = c.data if abs(c.data) >= floor else 0.0
            place(frame, ("node", ids[id(c)], _value_attrs(
                Value(c_data, requires_grad=c.requires_grad),
                f"#{plan.index[id(node)]}.{j}", role, False, digits, grad)))
    has_cut = False
    for c in shown:
        if c._op is None:
            continue
        op_id = f"{ids[id(c)]}_op"
        box = id(c) in inside
        symbol = c.group[0] if box else _SYMBOL.get(c._op.symbol, c._op.symbol)
        kinds["derived" if box else ("named op" if symbol.isalnum() else "op")] = True
        place(frame, ("node", op_id, _op_attrs(symbol, box, False)))
        place(None, ("edge", op_id, ids[id(c)], {}))
        if box:
            edges = _box_derivatives(c, inside[id(c)])
        else:
            edges = list(zip(c._parents, c._op.local(*[p.data for p in c._parents], c.data)))
        for parent, local, args in _merged_inputs([(p, d, k) for k, (p, d) in
                                                   enumerate(edges)]):
            if id(parent) in real and not drawn(real[id(parent)]):
                has_cut = True
                continue
            texts = [_short(d, digits, floor) for d in local] \
                if show_local and parent.requires_grad else []
            attrs = edge_attrs(", ".join(texts), None)
            if len(args) > 1:
                attrs["comment"] = "args " + ",".join(str(k) for k in args)
            place(None, ("edge", ids[id(parent)], op_id, attrs))
    return has_cut


def node_ids(root: Value) -> dict[str, Value]:
    """The DOT id :func:`to_dot` gives each value node it may draw: ``n<k>``, ``k`` the node's
    position in :func:`~autograd.graph.topological_order` (its op circle is ``n<k>_op``).

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> sorted((k, v.label) for k, v in node_ids(x * 2).items())
    [('n0', 'x'), ('n1', None), ('n2', None)]
    """
    return {f"n{i}": node for i, node in enumerate(topological_order(root))}


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
    a backward pass from zero up to and including that step (see :func:`grads_at`).
    ``theme``: ``"light"`` or ``"dark"``; ``background``: a colour or ``"transparent"``
    (edges and captions stay a mid grey, readable on light and dark pages).

    ``highlight``: a Step from ``backward_steps``, a Path from ``paths`` or a Value.
    ``derived``: ``"box"`` draws each derived op as one box, ``"open"`` shows its primitives
    inside a frame.  ``show_local``: label edges with local derivatives.  ``max_nodes`` /
    ``depth``: see the module docstring (``max_nodes=None`` draws everything).  ``digits``:
    significant digits of the numbers drawn (None: every digit).

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

    if theme not in _THEMES:
        raise GraphError(f"theme must be one of {', '.join(_THEMES)}, not {theme!r}")
    if isinstance(open, str):
        open = [open]
    plan = _Plan(root, derived, group, params, list(open))
    param_ids = _param_ids(params)
    for key, text in _names_from(names, params):
        plan.names[id(key)] = text
    named = {id(k): True for k, _ in _names_from(names, params)}
    if grads is None and isinstance(highlight, Step):
        grads = step_grads(root, highlight)
    grad_of = _grad_lookup(grads)
    dist, cut = _depth_cut(plan, max_nodes, depth)
    hot_nodes, hot_edges = _highlights(plan, highlight)
    index = plan.index

    def drawn(node: Value) -> bool:
        return dist is None or (id(node) in dist and dist[id(node)] <= cut)

    g = graphviz.Digraph("pathgrad")
    # neuron boxes: wider gaps between ranks, edges leave and enter on the flow's sides
    ranksep = "0.8" if plan.neuron_at else "0.35"
    tail_port, head_port = {"LR": ("e", "w"), "RL": ("w", "e"), "TB": ("s", "n"),
                            "BT": ("n", "s")}[rankdir]

    def ports(parent: Value, attrs: dict, into_box: bool) -> dict:
        if plan.is_neuron(parent):
            attrs["tailport"] = tail_port
        if into_box:
            attrs["headport"] = head_port
        return attrs

    g.attr(rankdir=rankdir, bgcolor="white", fontname=_FONT, nodesep="0.25", ranksep=ranksep,
           labelloc="b", fontsize="11")
    if plan.neuron_at:
        g.attr(ordering="out")  # a layer's neurons in their order, top to bottom
    g.attr("node", fontname=_FONT, fontsize="11")
    g.attr("edge", fontname=_FONT, fontsize="9", color=_MUTED, arrowsize="0.6")

    # Frames for open derived ops, nested like the ops themselves; a frame is keyed by the
    # index of the derived op's output ("f<i>" for a fused op drawn as its composite).
    children: dict[Any, list] = {}
    labels: dict[Any, tuple[str, bool]] = {}
    for key, text, outer in plan.frames:  # layer frames and their neurons, opened neurons
        children.setdefault(outer, []).append(key)
        labels[key] = (text, False)
    for i in sorted(plan.cluster_parent):
        if id(plan.order[i]) in plan.neuron or i in plan.neuron_at:
            continue  # an opened derived op inside a neuron box: not drawn
        parent = plan.cluster_parent[i]
        if parent is None:
            parent = plan.frame_of.get(id(plan.order[i]))
        children.setdefault(parent, []).append(i)
        labels[i] = (plan.order[i].group[0], False)

    def frame_of(node: Value) -> Any:
        return plan.cluster.get(id(node), plan.frame_of.get(id(node)))
    bodies: dict[Any, list] = {}

    def place(frame: Any, line: tuple) -> None:
        bodies.setdefault(frame, []).append(line)

    def edge_attrs(text: str, hot_text: Optional[str]) -> dict:
        edge: dict = {}
        if hot_text is not None:
            edge.update(color=_HOT, penwidth="2.5", fontcolor=_HOT)
            text = hot_text or text
        elif text:
            edge["fontcolor"] = _MUTED
        if text:
            edge["label"] = f"<{_html(text)}>"
        return edge

    # Heavy fan-out (a*a*...*a): a node feeding more than FANOUT ops is drawn once with its
    # first use; every other use starts at a small dashed alias chip next to its op.  Long
    # edges across many ranks are what make dot slow (a minute for 50 uses) and unreadable.
    uses: dict[int, int] = {}
    for node in plan.visible:
        if drawn(node) and node._op is not None and not (
                plan.derived == "open" and node._op.fuses in REFERENCES):
            for parent, _, _ in _merged_inputs(plan.inputs_of(node)):
                uses[id(parent)] = uses.get(id(parent), 0) + 1
    seen_uses: dict[int, int] = {}

    def source_of(parent: Value) -> str:
        pid = f"n{index[id(parent)]}"
        if uses.get(id(parent), 0) <= FANOUT:
            return pid
        j = seen_uses.get(id(parent), 0)
        seen_uses[id(parent)] = j + 1
        if j == 0:
            return pid
        alias = f"{pid}_use{j}"
        kinds["alias"] = True
        fill, border = _ROLE_COLORS[_role(parent, root, param_ids)]
        place(None, ("node", alias, {
            "label": f"<{_html(display_text(plan.names[id(parent)]))}>", "shape": "box",
            "style": "rounded,filled,dashed", "fillcolor": fill, "color": border,
            "fontsize": "10", "height": "0.25", "width": "0.3", "margin": "0.06,0.03",
            "tooltip": f"another use of {display_text(plan.names[id(parent)])} "
                       f"(it feeds {uses[id(parent)]} ops; its data and grad are at {pid})"}))
        return alias

    kinds: dict[str, bool] = {}
    cut_nodes = []
    for node in plan.visible:
        if not drawn(node):
            continue
        i = index[id(node)]
        nid = f"n{i}"
        hot = id(node) in hot_nodes
        role = _role(node, root, param_ids)
        if plan.is_neuron(node):
            kinds["neuron"] = True
            if node is root:
                kinds["output"] = True
            place(None, ("node", nid, _neuron_attrs(plan, node, hot, digits, grad_of)))
            if grads is not None:
                kinds["not yet"] = True
            has_cut = False
            for parent, _, k in plan.inputs_of(node):
                if not drawn(parent):
                    has_cut = True
                    continue
                hot_text = hot_edges.get((id(parent), id(node), k))
                place(None, ("edge", source_of(parent), nid,
                             ports(parent, edge_attrs("", hot_text), True)))
            if has_cut:
                cut_nodes.append(nid)
            continue
        kinds[role] = True
        place(frame_of(node),
              ("node", nid, _value_attrs(node, plan.names[id(node)], role, hot,
                                         digits, grad_of(node), id(node) in named)))
        if grads is not None:  # a snapshot: its legend explains "—" on every frame
            kinds["not yet"] = True
        if node._op is None:
            continue
        if plan.derived == "open" and node._op.fuses in REFERENCES:
            frame = f"f{i}"
            # inside the frame of the derived op it makes (softplus = logaddexp(x, 0))
            children.setdefault(i if (node.group is not None and i in plan.cluster_parent)
                                else frame_of(node), []).append(frame)
            labels[frame] = (COMPOSITES[node._op.fuses][1] if node._op.fuses in COMPOSITES
                             else f"{node._op.fuses}, fused: its reference composite", hot)
            if _draw_composite(node, nid, frame, plan, place, drawn, show_local, digits,
                               edge_attrs, kinds):
                cut_nodes.append(nid)
            continue
        # the op that made the node, and the edges into it
        box = plan.is_box(node)
        symbol = node.group[0] if box else _SYMBOL.get(node._op.symbol, node._op.symbol)
        op_frame = i if (node.group is not None and i in plan.cluster_parent) else \
            frame_of(node)
        kinds["derived" if box else ("named op" if symbol.isalnum() else "op")] = True
        place(op_frame, ("node", f"{nid}_op", _op_attrs(symbol, box, hot)))
        place(None, ("edge", f"{nid}_op", nid,
                     {"color": _HOT if hot else _MUTED, "penwidth": "2" if hot else "1"}))
        has_cut = False
        for parent, locals_, args in _merged_inputs(plan.inputs_of(node)):
            if not drawn(parent):
                has_cut = True
                continue
            texts = [_short(d, digits) for d in locals_] if show_local and \
                parent.requires_grad else []
            hot_texts = [hot_edges[(id(parent), id(node), k)] for k in args
                         if (id(parent), id(node), k) in hot_edges]
            attrs = edge_attrs(", ".join(texts),
                               "; ".join(t for t in hot_texts if t) if hot_texts else None)
            if len(args) > 1:  # one drawn edge for repeated arguments (x*x): say which
                attrs["comment"] = "args " + ",".join(str(k) for k in args)
                attrs["color"] = ":invis:".join([attrs.get("color", _MUTED)] * len(args))
            place(None, ("edge", source_of(parent), f"{nid}_op", ports(parent, attrs, False)))
        if has_cut:
            cut_nodes.append(nid)

    for nid in cut_nodes:
        place(None, ("node", f"{nid}_cut", {"label": "⋯", "shape": "plaintext",
                                            "fontcolor": _MUTED, "fontsize": "16"}))
        place(None, ("edge", f"{nid}_cut", f"{nid}_op", {"style": "dashed"}))

    def emit(target: Any, frame: Any) -> None:
        for kind, *rest in bodies.get(frame, []):
            if kind == "node":
                target.node(rest[0], **rest[1])
            else:
                target.edge(rest[0], rest[1], **rest[2])
        for child in children.get(frame, []):
            text, hot = labels[child]
            with target.subgraph(name=f"cluster_{child}" if isinstance(child, str)
                                 else f"cluster_n{child}") as sub:
                if isinstance(child, str) and "n" in child and child.startswith("G"):
                    sub.attr(label=f"<{_html(display_text(text))}>", style="rounded,dashed",
                             color=_NEURON[1], fontcolor=_NEURON[1], fontsize="9",
                             labeljust="l", labelloc="t", penwidth="0.8")
                    emit(sub, child)  # a neuron's frame inside its layer's
                    continue
                if isinstance(child, str) and child.startswith("G"):  # a layer or neuron
                    sub.attr(label=f"<<B>{_html(display_text(text))}</B>>", style="rounded",
                             color=_NEURON[1], fontcolor=_NEURON[1], fontsize="11",
                             labeljust="l", labelloc="t", penwidth="1.5",
                             bgcolor=_FRAME_FILL)
                    emit(sub, child)
                    continue
                caption = _html(text).replace("<BR/>", '<BR ALIGN="LEFT"/>')
                if "\n" in text:  # a two-line caption (name, then formula) flush left
                    caption += '<BR ALIGN="LEFT"/>'
                sub.attr(label=f"<{caption}>", style="rounded,dashed",
                         color=_HOT if hot else _DERIVED[1], fontcolor=_DERIVED[1],
                         fontsize="10", labeljust="l", labelloc="t",
                         penwidth="2" if hot else "1")
                emit(sub, child)

    emit(g, None)
    caption = []
    if isinstance(highlight, Step) and highlight.node._op is None:
        held = grad_of(highlight.node)  # a leaf step tells what it holds at that step
        caption.append(display_text(f"{highlight.name()}: input, holds "
                                    f"{NOT_YET if held is None else format_number(held)}",
                                    200))
    elif isinstance(highlight, (Step, Path)):
        caption.append(display_text(str(highlight), 200))
    if dist is not None:
        caption.append(display_text(summarize(root), 200))
        shown = sum(1 for n in plan.visible if drawn(n))
        caption.append(f"showing the {shown} values within {cut} steps of the output; "
                       "pass depth= or max_nodes= to see more")
    if legend:
        if any(not (isinstance(k, str) and k.startswith("G")) for k in labels):
            kinds["frame"] = True
        if cut_nodes:
            kinds["cut"] = True
        if plan.frames:
            kinds["layer frame" if group == "layer" else "neuron frame"] = True
        caption.extend(_legend(kinds))
    if caption:
        g.attr(label="<" + "<BR/>".join(_html(c) for c in caption) + ">", fontcolor=_MUTED)
    return Drawing(_themed(g.source, theme, background))


#: What the legend says for each kind of thing a picture can hold, in the order listed.
LEGEND = {
    "input": "blue: inputs", "parameter": "green: parameters", "data": "light blue: data",
    "constant": "small grey dashed: constants", "inner": "white: intermediate values",
    "output": "amber, double border: output", "op": "grey circles: primitive ops",
    "named op": "grey boxes: primitive functions (exp, log, tanh…)",
    "derived": "purple boxes: derived ops (sub, relu, tanh…)",
    "frame": "dashed frames: an opened derived op",
    "neuron": "cyan boxes: a neuron, Σ = weighted sum + bias, then its activation",
    "layer frame": "cyan frames: a layer, dashed inside it: its neurons", "neuron frame": "cyan frames: an opened neuron",
    "alias": "dashed chip with a name: another use of that node",
    "not yet": "grad —: not computed yet at this step", "cut": "⋯: the graph goes on",
}


def _legend(kinds: dict) -> list[str]:
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


def _param_ids(params: Any) -> dict:
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


def _names_from(names: Any, params: Any) -> list[tuple[Value, str]]:
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


def _grad_lookup(grads: Any) -> Any:
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


def grads_at(steps: list, k: int) -> dict:
    """Each node's grad as it stood after ``steps[0..k]`` of one backward run (a list from
    ``backward_steps``), None for nodes the run has not reached yet.

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
        for parent, total in zip(step.node._parents, step.totals):
            if total is not None:
                grads[parent] = total
    return grads


def step_grads(root: Value, step: Step) -> dict:
    """The grads as they stood at ``step`` in a backward pass of ``root`` from zero: the
    walk is run again on the graph and every ``grad`` put back afterwards."""
    steps = _dry_run(root)
    for k, s in enumerate(steps):
        if s.node is step.node:
            return grads_at(steps, k)
    raise GraphError("the step is not a step of this graph's backward pass")


def _dry_run(root: Value) -> list:
    order = topological_order(root)
    saved = [n.grad for n in order]
    try:
        for n in order:
            n.grad = 0.0
        with enable_grad():
            return list(backward_steps(root))
    finally:
        for n, g in zip(order, saved):
            n.grad = g


_THEMES = {
    "light": {},
    "dark": {"#ffffff": "#1f2937", "white": "#111827", "#dbeafe": "#1e3a8a",
             "#1d4ed8": "#93c5fd", "#fde68a": "#78350f", "#b45309": "#fbbf24",
             "#f3f4f6": "#374151", "#9ca3af": "#9ca3af", "#e5e7eb": "#4b5563",
             "#4b5563": "#d1d5db", "#ede9fe": "#4c1d95", "#6d28d9": "#c4b5fd",
             "#dcfce7": "#14532d", "#15803d": "#86efac", "#e0f2fe": "#0c4a6e",
             "#0369a1": "#7dd3fc", "#374151": "#e5e7eb", "#6b7280": "#9ca3af",
             "#cffafe": "#164e63", "#0e7490": "#67e8f9", "#f8fafc": "#1e293b"},
}


def _themed(source: str, theme: str, background: Optional[str]) -> str:
    """Recolour the DOT for a theme (exact colour swaps, so the DOT stays deterministic)."""
    colors = _THEMES[theme]
    if theme == "dark":
        source = re.sub(r'(?<=")#[0-9a-f]{6}(?=")',
                        lambda m: colors.get(m.group(0), m.group(0)), source)
        source = source.replace("bgcolor=white ", 'bgcolor="#111827" ', 1)
        source = source.replace("\tnode [", '\tnode [fontcolor="#f3f4f6" ', 1)
    if background is not None:
        source = source.replace('bgcolor="#111827"' if theme == "dark" else "bgcolor=white",
                                f'bgcolor="{_html(background)}"', 1)
    return source


def to_svg(root: Value, **options: Any) -> str:
    """The picture of ``root``'s graph as SVG text (options as for :func:`to_dot`)."""
    return to_dot(root, **options).svg()


def render(root: Value, path: Union[str, os.PathLike], *, format: Optional[str] = None,
           timeout: Optional[float] = None, dpi: Optional[float] = None,
           scale: Optional[float] = None, **options: Any) -> str:
    """Draw ``root``'s graph into ``path`` (format from the suffix: svg, png, pdf, dot;
    ``tex`` writes a LaTeX/TikZ document, see :mod:`autograd.tikz`); Graphviz may take
    ``timeout`` seconds (default :data:`GRAPHVIZ_TIMEOUT`); ``dpi`` or ``scale`` for PNG
    (``dpi=200`` for slides).  Options as for :func:`to_dot`."""
    if (format or os.path.splitext(os.fspath(path))[1].lstrip(".")).lower() == "tex":
        from .tikz import save_tikz
        return save_tikz(root, path, **options)
    return to_dot(root, **options).save(path, format, timeout=timeout, dpi=dpi, scale=scale)


def layout(root: Value, *, sizes: bool = False, **options: Any) -> dict:
    """``{node id: (x, y)}`` in points of ``to_dot(root, **options)`` laid out by dot (see
    :meth:`Drawing.layout`; TikZ export and step sequences place nodes with it)."""
    return to_dot(root, **options).layout(sizes=sizes)


def _layout_json(source: str, timeout: Optional[float] = None) -> dict:
    """Node boxes (centre x, y, width, height in points) and cluster bounding boxes from
    ``dot -Tjson``."""
    import json
    data = json.loads(_run_graphviz(source, "json", timeout).decode("utf-8"))
    nodes, clusters = {}, {}
    for obj in data.get("objects", []):
        if "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            nodes[obj["name"]] = (x, y, float(obj["width"]) * 72, float(obj["height"]) * 72)
        elif "bb" in obj:
            clusters[obj["name"]] = obj["bb"]
    names = {obj["_gvid"]: obj.get("name") for obj in data.get("objects", [])}
    edges: dict = {}  # (tail, head) -> [(pos, lp)] in input order
    for e in sorted(data.get("edges", []), key=lambda e: e["_gvid"]):
        edges.setdefault((names.get(e["tail"]), names.get(e["head"])), []).append(
            (e.get("pos"), e.get("lp")))
    return {"nodes": nodes, "clusters": clusters, "edges": edges, "bb": data.get("bb")}


_NODE_LINE = re.compile(r"^(\t+)(\w+) \[(.*)$")
_EDGE_LINE = re.compile(r"^(\t+)(\w+) -> (\w+)(?: \[(.*)\])?$")
_CLUSTER_LINE = re.compile(r"^(\t+)subgraph (cluster_\w+) \{$")


def _pinned(source: str, found: dict) -> str:
    """``source`` with every node pinned where ``found`` (from :func:`_layout_json`) puts
    it, at that size, and every frame at its box: drawn by ``neato -n2`` it keeps dot's
    layout whatever the labels now say."""
    out = []
    taken: dict = {}
    for line in source.splitlines():
        e = _EDGE_LINE.match(line)
        if e:
            key = (e.group(2), e.group(3))
            known = found.get("edges", {}).get(key, [])
            j = taken.get(key, 0)
            taken[key] = j + 1
            pos, lp = known[j] if j < len(known) else (None, None)
            if pos:
                pinned = f'pos="{pos}"' + (f' lp="{lp}"' if lp else "")
                rest = e.group(4)
                line = f"{e.group(1)}{e.group(2)} -> {e.group(3)} [{pinned}" + \
                    (f" {rest}]" if rest else "]")
            out.append(line)
            continue
        m = _NODE_LINE.match(line)
        if m and m.group(2) in found["nodes"]:
            x, y, w, h = found["nodes"][m.group(2)]
            line = (f'{m.group(1)}{m.group(2)} [pos="{x:.2f},{y:.2f}!" '
                    f'width={w / 72:.4f} height={h / 72:.4f} {m.group(3)}')
        out.append(line)
        m = _CLUSTER_LINE.match(line)
        if m and m.group(2) in found["clusters"]:
            out.append(f'{m.group(1)}\tbb="{found["clusters"][m.group(2)]}"')
    head = "digraph pathgrad {\n\tsplines=true notranslate=true"
    boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
             for x, y, w, h in found["nodes"].values()]
    boxes += [tuple(float(v) for v in bb.split(",")) for bb in found["clusters"].values()]
    if boxes:  # two invisible corners a little outside: one canvas for all frames
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        for name, x, y in (("corner_ll", x0 - 12, y0 - 12), ("corner_ur", x1 + 12, y1 + 12)):
            head += (f'\n\t{name} [pos="{x:.2f},{y:.2f}!" shape=point width=0.01 '
                     'style=invis label=""]')
    return "\n".join(out).replace("digraph pathgrad {", head, 1) + "\n"


def step_drawings(root: Value, **options: Any) -> list[Drawing]:
    """One drawing per step of a backward pass of ``root`` from zero, each showing the
    grads as they stood at its step, all pinned to one layout (node coordinates equal in
    every frame; draw them with ``neato -n2``, as :func:`render_steps` does)."""
    for key in ("highlight", "grads"):
        if key in options:
            raise GraphError(f"step_drawings sets {key}= itself, one per step")
    steps = _dry_run(root)
    sources = [to_dot(root, highlight=step, grads=grads_at(steps, k), **options).source
               for k, step in enumerate(steps)]
    split = [src.splitlines() for src in sources]
    if any(len(lines) != len(split[0]) for lines in split):
        raise GraphError("step frames differ in structure; cannot share one layout")
    # lay out once, with the widest text any frame puts on each line
    merged = "\n".join(max(lines, key=len) for lines in zip(*split)) + "\n"
    found = _layout_json(merged)
    return [Drawing(_pinned(src, found)) for src in sources]


def render_steps(root: Value, pattern: str, *, timeout: Optional[float] = None,
                 dpi: Optional[float] = None, scale: Optional[float] = None,
                 **options: Any) -> list[str]:
    """Draw every backward step of ``root`` into ``pattern.format(k=k)`` (e.g.
    ``"frames/step{k}.png"``): one layout for all frames, so every node stays in place
    from slide to slide, and each frame shows the grads as they stood at its step.
    Returns the paths written.  Needs the system Graphviz (``dot`` and ``neato``)."""
    if "{k" not in pattern:
        raise GraphError(f"pattern must contain {{k}} for the step number, got {pattern!r}")
    neato = _neato_command()
    paths = []
    for k, drawing in enumerate(step_drawings(root, **options)):
        path = pattern.format(k=k)
        fmt = os.path.splitext(path)[1].lstrip(".").lower() or "svg"
        if fmt in ("dot", "gv"):
            data = drawing.source.encode("utf-8")
        else:
            data = _run_graphviz(drawing.source, fmt, timeout,
                                 ("-n2",) + _raster_args(fmt, dpi, scale), neato)
        write_atomically(path, data)
        paths.append(path)
    return paths


def repr_mimebundle(value: Value, include: Any = None, exclude: Any = None) -> dict:
    """What a notebook shows for a Value: its graph as SVG, or its repr and the reason the
    graph could not be drawn."""
    try:
        return {"image/svg+xml": to_svg(value), "text/plain": repr(value)}
    except GraphvizNotFoundError as exc:
        return {"text/plain": f"{value!r}\n({exc})"}


def _mimebundle_method(self: Value, include: Any = None, exclude: Any = None) -> dict:
    """Jupyter shows a Value as the SVG picture of its graph (:mod:`autograd.render`)."""
    return repr_mimebundle(self, include, exclude)


_mimebundle_method.__name__ = "_repr_mimebundle_"
attach("_repr_mimebundle_", _mimebundle_method)
