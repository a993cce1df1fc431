"""A browser stepper: one self-contained HTML file that plays the backward pass frame by frame.

:func:`to_html` draws the graph once with Graphviz (:func:`autograd.render.to_dot`, a
layered left-to-right layout), embeds the SVG, and runs
:func:`~autograd.steps.backward_steps` on the graph (from zero gradients, restoring every
``grad`` afterwards).  The page's script only changes CSS classes and numbers on that
picture, found by the stable node ids ``n<i>`` of :func:`~autograd.render.to_dot`: no
layout of its own, no network, no ``eval``.

- The toolbar (start / prev / play / next / end, a slider, "step k of n") and the story line
  stay on screen; the picture scrolls and zooms on its own (buttons, ctrl + wheel, drag to
  pan, fit) and keeps the current node in view; the table beside it follows the current row.
- Keys: ← → step, Home / End jump, Space plays or pauses (each exactly once, whatever has
  focus).  ``page.html#speed=300`` plays at 300 ms a step.
- A gradient not computed yet shows as ``—`` (not as 0); the last frame sums up every
  input's gradient.
- All CSS sits under ``#pathgrad-stepper``, so the page can be embedded without touching
  its host; :func:`notebook_html` wraps the page in a sandboxed ``<iframe srcdoc>`` for
  Jupyter (``NotebookStepper(out)`` displays it).

Every label reaches the page as JSON inside a ``<script type="application/json">`` block
(``<``, ``>``, ``&`` escaped) or as Graphviz's escaped SVG text, and is put on screen with
``textContent``, so no label can inject markup.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1); e.label = "e"
>>> page = to_html(e)
>>> page.startswith("<!DOCTYPE html>"), "http" in page.split("<body")[0].replace(
...     "http-equiv", "")
(True, False)
>>> a.grad   # the page was made without touching the graph's gradients
0.0
>>> notebook_html(e).startswith('<iframe class="pathgrad-stepper-frame"')
True
"""

from __future__ import annotations

import html
import json
import os
import re
from typing import Any, Optional, Union

from .errors import GraphError, GraphTooLargeError
from .explain import format_factor, format_number, formula, node_names, printable
from .files import write_atomically
from .graph import topological_order
from .steps import Stepper, backward_steps
from .value import Value

__all__ = ["to_html", "write_html", "stepper_data", "notebook_html", "NotebookStepper",
           "DEFAULT_MAX_STEPPER_NODES"]

#: Graphs with more nodes than this are refused (a page of thousands of boxes helps nobody).
DEFAULT_MAX_STEPPER_NODES = 400

# Drawn into every grad cell at write time so Graphviz sizes the boxes for a real number;
# the page replaces it with the gradient of the current frame.
_PLACEHOLDER = -0.8888


def _picture(root: Value, order: list) -> str:
    """The graph as inline SVG, every grad cell sized for a 4-digit number."""
    from .render import to_dot  # render imports graphviz; keep it off the import path

    saved = [(n, n.grad) for n in order]
    try:
        for n in order:
            n.grad = _PLACEHOLDER
        svg = to_dot(root, max_nodes=None, legend=False, digits=4).svg()
    finally:
        for n, g in saved:
            n.grad = g
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->", "", svg, flags=re.S)


def stepper_data(root: Value, seed: float = 1.0, drawn: Optional[set] = None) -> dict:
    """The page's data: nodes (name, formula, data) and one frame per backward step (what
    it sends and each receiver's new total), and a closing summary of the inputs.

    ``drawn``: the node ids ``n<i>`` present in the picture; a node hidden inside a derived
    op's box is highlighted through the box that stands for it."""
    order = topological_order(root)
    index = {id(n): i for i, n in enumerate(order)}
    names = node_names(root, order)
    consumer: dict[int, int] = {}
    for node in reversed(order):
        for parent in node.parents:
            consumer.setdefault(id(parent), index[id(node)])

    def shown(i: int) -> int:
        while drawn is not None and f"n{i}" not in drawn and id(order[i]) in consumer:
            i = consumer[id(order[i])]
        return i

    nodes = []
    for i, node in enumerate(order):
        kind = ("input" if node.requires_grad else "constant") if node.op is None else "inner"
        if node is root:
            kind = "output"
        nodes.append({"name": names[id(node)], "formula": formula(node, names),
                      "kind": kind, "data": format_number(node.data),
                      "needsGrad": bool(node.requires_grad), "shown": shown(i)})
    saved = [(n, n.grad) for n in order]
    try:
        for n in order:
            n.grad = 0.0
        frames = []
        for step in backward_steps(root, seed):
            node = step.node
            sends, seen = [], {}
            for k, parent in enumerate(node.parents):
                p = index[id(parent)]
                seen[p] = seen.get(p, -1) + 1
                if step.sent[k] is not None:
                    sends.append({"to": p, "shownTo": shown(p), "nth": seen[p],
                                  "factor": format_factor(step.local[k]),
                                  "amount": format_number(step.sent[k]),
                                  "total": format_number(step.totals[k])})
            frames.append({"node": index[id(node)], "grad": format_number(step.upstream),
                           "story": str(step), "sends": sends})
        # the inputs in the table's order: output first, as backward reached them
        inputs = [n for n in reversed(order) if n.op is None and n.requires_grad]
        summary = [{"node": index[id(n)], "grad": format_number(n.grad)} for n in inputs]
    finally:
        for n, g in saved:
            n.grad = g
    told = ", ".join(f"{names[id(order[s['node']])]} = {s['grad']}" for s in summary[:6])
    if len(summary) > 6:
        told += f" and {len(summary) - 6} more (all in the table)"
    story = (f"Done: ∂{names[id(root)]}/∂input for each of its {len(summary)} inputs: "
             f"{told}" if summary else
             f"Done: {names[id(root)]} has no inputs that need a gradient")
    return {"title": names[id(root)], "nodes": nodes, "frames": frames,
            "summary": {"inputs": summary, "story": story}}


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>', '&' or line separators raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def to_html(root: Value, *, seed: float = 1.0,
            max_nodes: Optional[int] = DEFAULT_MAX_STEPPER_NODES) -> str:
    """The stepper page for ``root``'s backward pass, as one self-contained HTML string.

    The picture is drawn now, with Graphviz (the system ``dot`` or ``pathgrad[draw]``; with
    neither, :class:`~autograd.errors.GraphvizNotFoundError` names both fixes).  Graphs of
    more than ``max_nodes`` nodes are refused (``max_nodes=None`` builds any size).
    """
    if not isinstance(root, Value):
        raise GraphError(f"to_html expects a Value, not {type(root).__name__}")
    order = topological_order(root)
    count = len(order)
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {count} nodes, more than max_nodes={max_nodes} for the browser "
            "stepper; pass max_nodes=None (or larger) to build it anyway, or use "
            "autograd.render.to_dot for a depth-limited picture")
    svg = _picture(root, order)
    drawn = set(re.findall(r"<title>(n\d+)</title>", svg))
    data = stepper_data(root, seed, drawn)
    title = html.escape(f"pathgrad stepper: {printable(data['title'])}", quote=True)
    fill = {"__TITLE__": title, "__SVG__": svg, "__DATA__": _json_for_script(data)}
    # one pass: a label that spells a placeholder is never filled in a second time
    return re.sub("__TITLE__|__SVG__|__DATA__", lambda m: fill[m.group()], _PAGE)


def write_html(root: Value, path: Union[str, os.PathLike], **options: Any) -> str:
    """Write the stepper page for ``root`` to ``path`` (atomically); returns the path."""
    path = os.fspath(path)
    write_atomically(path, to_html(root, **options))
    return path


def notebook_html(root: Value, *, height: Optional[int] = None, **options: Any) -> str:
    """The stepper page inside a sandboxed ``<iframe srcdoc>``, for a notebook cell.

    The page runs on its own (scripts allowed, nothing else: no network, no access to the
    notebook), so its style and keys cannot touch the notebook, and it works in JupyterLab,
    Notebook 7, VS Code and an exported HTML file without a kernel.  ``height`` in pixels
    (default: 460 for a small graph, 640 otherwise); ``options`` as for :func:`to_html`.
    """
    page = to_html(root, **options)
    if height is None:
        height = 460 if len(topological_order(root)) <= 12 else 640
    return (f'<iframe class="pathgrad-stepper-frame" sandbox="allow-scripts" '
            f'title="{html.escape("pathgrad stepper", quote=True)}" '
            f'style="box-sizing:border-box;width:100%;height:{int(height)}px;'
            f'border:1px solid #e5e7eb;'
            f'border-radius:6px" srcdoc="{html.escape(page, quote=True)}"></iframe>')


class NotebookStepper:
    """Shows the interactive stepper of ``root``'s backward pass when displayed in Jupyter.

    A static page (every frame computed now, in Python), not a live view: it needs no
    kernel, so it keeps working in an exported or reopened notebook.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x"); y = x * x; y.label = "y"
    >>> NotebookStepper(y)
    NotebookStepper(y: 2 steps)
    """

    def __init__(self, root: Value, **options: Any) -> None:
        if not isinstance(root, Value):
            raise GraphError(f"NotebookStepper expects a Value, not {type(root).__name__}")
        self.root, self.options = root, options

    def __repr__(self) -> str:
        order = topological_order(self.root)
        steps = sum(1 for n in order if n.requires_grad)
        name = node_names(self.root, order)[id(self.root)]
        return f"NotebookStepper({name}: {steps} steps)"

    def _repr_html_(self) -> str:
        return notebook_html(self.root, **self.options)


_PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
#pathgrad-stepper { position: fixed; inset: 0; display: flex; flex-direction: column;
  font: 14px/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #111827;
  background: #f9fafb; overflow: hidden; }
#pathgrad-stepper .pgs-bar { flex: none; padding: 6px 12px; background: #fff;
  border-bottom: 1px solid #e5e7eb; display: flex; gap: 8px; align-items: center;
  flex-wrap: wrap; }
#pathgrad-stepper .pgs-title { font-size: 15px; font-weight: 600; margin-right: 8px;
  max-width: 24em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#pathgrad-stepper button { font: inherit; padding: 3px 10px; border: 1px solid #9ca3af;
  border-radius: 6px; background: #fff; color: inherit; cursor: pointer; }
#pathgrad-stepper button:hover { background: #f3f4f6; }
#pathgrad-stepper .pgs-zoom { margin-left: auto; display: flex; gap: 4px; }
#pathgrad-stepper .pgs-frame { font-variant-numeric: tabular-nums; min-width: 9em; }
#pathgrad-stepper .pgs-story { flex: none; padding: 6px 12px; background: #fffbeb;
  border-bottom: 1px solid #fde68a; font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 13px; min-height: 2.8em; max-height: 5.6em; overflow: auto;
  white-space: pre-wrap; }
#pathgrad-stepper .pgs-main { flex: 1 1 auto; min-height: 0; display: flex; gap: 8px;
  padding: 8px; }
#pathgrad-stepper .pgs-pane { flex: 1 1 auto; min-width: 0; position: relative;
  overflow: hidden; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px;
  cursor: grab; touch-action: none; }
#pathgrad-stepper .pgs-pane.pgs-dragging { cursor: grabbing; }
#pathgrad-stepper .pgs-canvas { position: absolute; left: 0; top: 0;
  transform-origin: 0 0; }
#pathgrad-stepper .pgs-canvas svg { display: block; }
#pathgrad-stepper .pgs-side { flex: 0 0 auto; width: 400px; max-width: 40%; overflow: auto;
  background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; position: relative; }
#pathgrad-stepper table { border-collapse: collapse; width: 100%; font-size: 13px;
  table-layout: fixed; }
#pathgrad-stepper th:nth-child(1) { width: 27%; }
#pathgrad-stepper th:nth-child(2) { width: 27%; }
#pathgrad-stepper th:nth-child(3), #pathgrad-stepper th:nth-child(4) { width: 23%;
  text-align: right; }
#pathgrad-stepper table.pgs-summary tbody tr:not(.pgs-summed) { display: none; }
#pathgrad-stepper th { position: sticky; top: 0; background: #f3f4f6; text-align: left;
  padding: 3px 8px; z-index: 1; }
#pathgrad-stepper td { padding: 2px 8px; border-bottom: 1px solid #f3f4f6;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#pathgrad-stepper td.pgs-num { text-align: right; font-variant-numeric: tabular-nums; }
#pathgrad-stepper td.pgs-pending { color: #9ca3af; }
#pathgrad-stepper tr.pgs-current td { background: #fde68a; }
#pathgrad-stepper tr.pgs-receives td { background: #fee2e2; }
#pathgrad-stepper tr.pgs-summed td { background: #dbeafe; font-weight: 600; }
#pathgrad-stepper .pgs-legend { flex: none; color: #6b7280; font-size: 12px;
  padding: 0 12px 6px; }
#pathgrad-stepper g.pgs-current > path, #pathgrad-stepper g.pgs-current > polygon,
#pathgrad-stepper g.pgs-current > ellipse { stroke: #dc2626; stroke-width: 4px; }
#pathgrad-stepper g.pgs-receives > path, #pathgrad-stepper g.pgs-receives > polygon,
#pathgrad-stepper g.pgs-receives > ellipse { stroke: #dc2626; stroke-width: 2.5px;
  fill: #fee2e2; }
#pathgrad-stepper g.pgs-summed > path, #pathgrad-stepper g.pgs-summed > polygon {
  stroke: #1d4ed8; stroke-width: 3px; }
#pathgrad-stepper g.pgs-hot > path { stroke: #dc2626; stroke-width: 3px; }
#pathgrad-stepper g.pgs-hot > polygon { stroke: #dc2626; fill: #dc2626; }
#pathgrad-stepper g.pgs-hot > text { fill: #dc2626; font-weight: bold; }
#pathgrad-stepper text.pgs-pending { fill: #9ca3af; }
</style>
</head>
<body>
<div id="pathgrad-stepper">
<div class="pgs-bar">
  <span class="pgs-title" id="title"></span>
  <button id="first" type="button" title="back to the start (Home)">« start</button>
  <button id="prev" type="button" title="previous step (←)">◀ prev</button>
  <button id="play" type="button" title="play / pause (space)">▶ play</button>
  <button id="next" type="button" title="next step (→)">next ▶</button>
  <button id="last" type="button" title="the summary (End)">end »</button>
  <input id="slider" type="range" min="0" value="0" aria-label="step">
  <span class="pgs-frame" id="frame" aria-live="polite"></span>
  <span class="pgs-zoom">
    <button id="zoom-out" type="button" title="zoom out (ctrl + wheel)">−</button>
    <button id="zoom-in" type="button" title="zoom in (ctrl + wheel)">+</button>
    <button id="fit" type="button" title="fit the picture to the pane">fit</button>
  </span>
</div>
<div class="pgs-story" id="story"></div>
<div class="pgs-main">
  <div class="pgs-pane" id="pane"><div class="pgs-canvas" id="canvas">__SVG__</div></div>
  <div class="pgs-side" id="side"><table id="table"><thead><tr><th>node</th><th>op</th><th>data</th>
  <th>grad</th></tr></thead><tbody id="totals"></tbody></table></div>
</div>
<div class="pgs-legend">Each step takes the node whose gradient is complete (outlined red)
and sends upstream × local derivative to each parent (red edges); parents pile up what they
receive (red).  Edge numbers are local derivatives; — is a gradient not computed yet.
Drag to pan, ctrl + wheel to zoom.</div>
</div>
<script type="application/json" id="graph-data">__DATA__</script>
<script>
"use strict";
(function () {
  const G = JSON.parse(document.getElementById("graph-data").textContent);
  const N = G.nodes.length, F = G.frames.length, LAST = F + 1;  // frame F + 1: the summary
  const $ = id => document.getElementById(id);
  const pane = $("pane"), canvas = $("canvas"), svg = canvas.querySelector("svg");
  let frame = 0, timer = null, scale = 1, tx = 0, ty = 0;

  // Pictures show 4 significant digits; the table shows every digit on hover.
  function short(s) {
    const v = Number(s);
    return (s.length <= 7 || !isFinite(v)) ? s : String(Number(v.toPrecision(4)));
  }

  // The Graphviz picture: node groups by their stable id (the <title> n<i>), edges by
  // "n<p>->n<i>_op" and how many edges between the two came before.
  const box = {}, op = {}, edges = {};
  svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
    const t = g.querySelector("title");
    if (!t) return;
    const name = t.textContent;
    t.remove();  // no "n12" tooltips
    if (g.classList.contains("node")) {
      const m = /^n(\d+)(_op)?$/.exec(name);
      if (m) (m[2] ? op : box)[Number(m[1])] = g;
    } else {
      let nth = 0;
      while ((name + "#" + nth) in edges) nth++;
      edges[name + "#" + nth] = g;
    }
  });
  const top = svg.querySelector("title");
  if (top) top.remove();
  const gradText = G.nodes.map(function (n, i) {
    if (!n.needsGrad || !box[i]) return null;
    const texts = box[i].querySelectorAll("text");
    return texts[texts.length - 1];
  });
  svg.setAttribute("width", svg.viewBox.baseVal.width);
  svg.setAttribute("height", svg.viewBox.baseVal.height);

  $("title").textContent = "Backward pass of " + G.title;
  $("title").title = "Backward pass of " + G.title;
  // the table: nodes that carry a gradient, output first (the order backward visits them)
  const tbody = $("totals"), rows = {}, gradCells = {};
  for (let i = N - 1; i >= 0; i--) {
    const n = G.nodes[i];
    if (!n.needsGrad) continue;
    const tr = document.createElement("tr");
    tr.id = "row-" + i;
    [n.name, n.formula || n.kind, n.data].forEach(function (text, column) {
      const td = document.createElement("td");
      td.textContent = column === 2 ? short(text) : text;
      td.title = text;
      if (column === 2) td.className = "pgs-num";
      tr.appendChild(td);
    });
    const td = document.createElement("td");
    td.id = "grad-" + i;
    tr.appendChild(td);
    tbody.appendChild(tr);
    rows[i] = tr;
    gradCells[i] = td;
  }

  const slider = $("slider");
  slider.max = LAST;

  function place() {
    canvas.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + scale + ")";
  }
  function zoomAt(factor, px, py) {
    const s = Math.max(0.05, Math.min(4, scale * factor));
    tx = px - (px - tx) * s / scale;
    ty = py - (py - ty) * s / scale;
    scale = s;
    place();
  }
  function fit() {
    const w = svg.viewBox.baseVal.width, h = svg.viewBox.baseVal.height;
    scale = 0.96 * Math.min(pane.clientWidth / w, pane.clientHeight / h, 1.5);
    tx = (pane.clientWidth - w * scale) / 2;
    ty = (pane.clientHeight - h * scale) / 2;
    place();
  }
  function keepInView(g, also) {  // pan the picture (never the window) so g is in the pane,
    if (!g) return;               // with the boxes in `also` when they all fit
    let r = g.getBoundingClientRect();
    const p = pane.getBoundingClientRect();
    const all = (also || []).filter(Boolean).reduce(function (u, h) {
      const q = h.getBoundingClientRect();
      return {left: Math.min(u.left, q.left), right: Math.max(u.right, q.right),
              top: Math.min(u.top, q.top), bottom: Math.max(u.bottom, q.bottom)};
    }, r);
    if (all.right - all.left < p.width - 64 && all.bottom - all.top < p.height - 64) r = all;
    // far outside: bring it to the middle; just over an edge: the least move, with a margin
    const shift = function (lo, hi, plo, phi) {
      const m = Math.min(32, (phi - plo - (hi - lo)) / 2);
      if (hi < plo || lo > phi) return (plo + phi) / 2 - (lo + hi) / 2;
      if (lo < plo + m) return plo + m - lo;
      if (hi > phi - m) return phi - m - hi;
      return 0;
    };
    tx += shift(r.left, r.right, p.left, p.right);
    ty += shift(r.top, r.bottom, p.top, p.bottom);
    place();
  }
  function keepRowInView(tr) {  // scroll the table's own box, never the window
    if (!tr) return;
    const side = $("side"), head = side.querySelector("thead").offsetHeight;
    const y = tr.offsetTop, h = tr.offsetHeight;
    if (y - head < side.scrollTop || y + h > side.scrollTop + side.clientHeight)
      side.scrollTop = Math.max(0, y - head - (side.clientHeight - head) / 3);
  }
  function mark(g, cls) { if (g) g.classList.add(cls); }

  function show(k) {
    frame = Math.max(0, Math.min(LAST, k));
    const grads = new Array(N).fill(null);  // null: not computed yet
    const upto = Math.min(frame, F);
    for (let f = 0; f < upto; f++) {
      const fr = G.frames[f];
      grads[fr.node] = fr.grad;
      for (const s of fr.sends) grads[s.to] = s.total;
    }
    const cur = (frame > 0 && frame <= F) ? G.frames[frame - 1] : null;
    svg.querySelectorAll(".pgs-current, .pgs-receives, .pgs-hot, .pgs-summed")
       .forEach(g => g.classList.remove("pgs-current", "pgs-receives", "pgs-hot",
                                          "pgs-summed"));
    const state = {};
    if (cur) {
      const at = G.nodes[cur.node].shown;
      mark(box[at], "pgs-current");
      mark(op[at], "pgs-current");
      state[cur.node] = "pgs-current";
      for (const s of cur.sends) {
        if (!(s.to in state)) state[s.to] = "pgs-receives";
        mark(box[s.shownTo], "pgs-receives");
        mark(edges["n" + s.to + "->n" + cur.node + "_op#" + s.nth], "pgs-hot");
      }
    }
    $("table").classList.toggle("pgs-summary", frame === LAST);
    if (frame === LAST) for (const s of G.summary.inputs) {
      state[s.node] = "pgs-summed";
      mark(box[G.nodes[s.node].shown], "pgs-summed");
    }
    G.nodes.forEach(function (n, i) {
      if (!n.needsGrad) return;
      const g = grads[i], text = g === null ? "—" : short(g);
      const cell = gradCells[i];
      cell.textContent = text;
      cell.title = g === null ? "not computed yet" : g;
      cell.className = "pgs-num" + (g === null ? " pgs-pending" : "");
      if (gradText[i]) {
        gradText[i].textContent = text;
        gradText[i].classList.toggle("pgs-pending", g === null);
      }
      rows[i].className = state[i] || "";
    });
    if (cur) {
      keepInView(box[G.nodes[cur.node].shown], cur.sends.map(s => box[s.shownTo]));
      keepRowInView(rows[cur.node]);
    } else if (frame === LAST) {  // the whole picture, every input outlined blue
      $("side").scrollTop = 0;
      fit();
    }
    $("story").textContent = cur ? cur.story : frame === LAST ? G.summary.story :
      "Before the backward pass: no gradient is computed yet (—). Press next (→) to seed " +
      "the output with 1.";
    $("frame").textContent = frame === LAST ? "summary (after " + F + " steps)" :
      "step " + frame + " of " + F;
    slider.value = frame;
  }
  function pause() {
    if (timer) { clearInterval(timer); timer = null; }
    $("play").textContent = "▶ play";
  }
  function play() {
    if (timer) { pause(); return; }
    if (frame >= LAST) show(0);
    $("play").textContent = "⏸ pause";
    const asked = /speed=(\d+)/.exec(location.hash);  // page.html#speed=200: ms per step
    const ms = asked ? Math.max(20, Number(asked[1])) : 900;
    timer = setInterval(function () { if (frame >= LAST) pause(); else show(frame + 1); },
                        ms);
  }
  $("first").onclick = function () { pause(); show(0); };
  $("prev").onclick = function () { pause(); show(frame - 1); };
  $("next").onclick = function () { pause(); show(frame + 1); };
  $("last").onclick = function () { pause(); show(LAST); };
  $("play").onclick = play;
  $("zoom-in").onclick = function () { zoomAt(1.25, pane.clientWidth / 2, pane.clientHeight / 2); };
  $("zoom-out").onclick = function () { zoomAt(0.8, pane.clientWidth / 2, pane.clientHeight / 2); };
  $("fit").onclick = fit;
  slider.oninput = function () { pause(); show(Number(slider.value)); };

  // Keys, handled here once: the slider's and the buttons' own handling of the same keys
  // is cancelled, so a focused control never moves a second step or plays twice.
  const KEYS = {ArrowRight: () => show(frame + 1), ArrowLeft: () => show(frame - 1),
                Home: () => show(0), End: () => show(LAST)};
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key in KEYS) { ev.preventDefault(); pause(); KEYS[ev.key](); }
    else if (ev.key === " ") { ev.preventDefault(); if (!ev.repeat) play(); }
  });
  document.addEventListener("keyup", function (ev) {
    if (ev.key === " ") ev.preventDefault();  // a focused button would click on keyup
  });

  pane.addEventListener("wheel", function (ev) {
    const r = pane.getBoundingClientRect();
    ev.preventDefault();
    if (ev.ctrlKey || ev.metaKey)
      zoomAt(Math.exp(-ev.deltaY / 300), ev.clientX - r.left, ev.clientY - r.top);
    else { tx -= ev.deltaX; ty -= ev.deltaY; place(); }
  }, {passive: false});
  let drag = null;
  pane.addEventListener("pointerdown", function (ev) {
    drag = {x: ev.clientX, y: ev.clientY, tx: tx, ty: ty};
    pane.setPointerCapture(ev.pointerId);
    pane.classList.add("pgs-dragging");
  });
  pane.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    tx = drag.tx + ev.clientX - drag.x;
    ty = drag.ty + ev.clientY - drag.y;
    place();
  });
  function drop() { drag = null; pane.classList.remove("pgs-dragging"); }
  pane.addEventListener("pointerup", drop);
  pane.addEventListener("pointercancel", drop);

  fit();
  if (scale < 0.6) {  // too small to read: start at full size, at the output
    scale = 1;
    place();
    keepInView(box[N - 1]);
  }
  show(0);
})();
</script>
</body>
</html>
"""


Stepper.notebook_page = staticmethod(notebook_html)  # a backward stepper's notebook view
