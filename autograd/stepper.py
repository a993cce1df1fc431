"""A browser stepper: one self-contained HTML file that plays the backward pass frame by frame.

:func:`to_html` runs :func:`~autograd.steps.backward_steps` on the graph (from zero
gradients, restoring every ``grad`` afterwards) and writes the story into a page with its
own layout, script and style: no network, no CDN, no Graphviz.  Previous / next / play
buttons (or the arrow keys and space) move through the frames (``page.html#speed=300`` plays
at 300 ms a step); the current node, the edges
it sends along and what each parent receives are highlighted; the table beside the picture
shows every running total.

Every label reaches the page as JSON inside a ``<script type="application/json">`` block
(``<``, ``>``, ``&`` escaped) and is put on screen with ``textContent``, so no label can
inject markup.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1); e.label = "e"
>>> page = to_html(e)
>>> page.startswith("<!DOCTYPE html>"), "http" in page.split("<body")[0].replace(
...     "http-equiv", "")
(True, False)
>>> a.grad   # the page was made without touching the graph's gradients
0.0
"""

from __future__ import annotations

import html
import json
import re
import os
from typing import Any, Optional, Union

from .errors import GraphError, GraphTooLargeError
from .explain import format_factor, format_number, formula, node_names, printable
from .files import write_atomically
from .graph import topological_order
from .steps import backward_steps
from .value import Value

__all__ = ["to_html", "write_html", "stepper_data", "DEFAULT_MAX_STEPPER_NODES"]

#: Graphs with more nodes than this are refused (a page of thousands of boxes helps nobody).
DEFAULT_MAX_STEPPER_NODES = 400

_COLUMN, _ROW = 300, 84


def _layout(order: list) -> dict[int, tuple[int, int]]:
    """Column = longest distance from a leaf; rows ordered by the parents' mean row."""
    level: dict[int, int] = {}
    for node in order:
        level[id(node)] = 1 + max((level[id(p)] for p in node._parents), default=-1)
    columns: dict[int, list] = {}
    for node in order:
        columns.setdefault(level[id(node)], []).append(node)
    row: dict[int, float] = {}
    place: dict[int, tuple[int, int]] = {}
    for c in sorted(columns):
        nodes = columns[c]
        if c > 0:
            keyed = [(sum(row[id(p)] for p in n._parents) / len(n._parents), i, n)
                     for i, n in enumerate(nodes)]
            keyed.sort(key=lambda t: (t[0], t[1]))
            nodes = [n for _, _, n in keyed]
        for r, node in enumerate(nodes):
            row[id(node)] = r
            place[id(node)] = (c, r)
    return place


def stepper_data(root: Value, seed: float = 1.0) -> dict:
    """The page's data: nodes with positions, edges with local derivatives, and one frame
    per backward step (what it sends and each receiver's new total)."""
    order = topological_order(root)
    index = {id(n): i for i, n in enumerate(order)}
    names = node_names(root, order)
    place = _layout(order)
    nodes = []
    for i, node in enumerate(order):
        kind = ("input" if node.requires_grad else "constant") if node._op is None else "inner"
        if node is root:
            kind = "output"
        column, row = place[id(node)]
        nodes.append({"name": names[id(node)], "formula": formula(node, names),
                      "kind": kind, "data": format_number(node.data), "column": column,
                      "row": row, "needsGrad": bool(node.requires_grad)})
    edges = []
    edge_of: dict[tuple, int] = {}
    saved = [(n, n.grad) for n in order]
    try:
        for n in order:
            n.grad = 0.0
        frames = []
        for step in backward_steps(root, seed):
            node = step.node
            sends = []
            for k, parent in enumerate(node._parents):
                key = (index[id(parent)], index[id(node)], k)
                if key not in edge_of:
                    edge_of[key] = len(edges)
                    edges.append({"from": key[0], "to": key[1], "position": k,
                                  "local": format_number(step.local[k])})
                if step.sent[k] is not None:
                    sends.append({"edge": edge_of[key], "to": key[0],
                                  "factor": format_factor(step.local[k]),
                                  "amount": format_number(step.sent[k]),
                                  "total": format_number(step.totals[k])})
            frames.append({"node": index[id(node)], "grad": format_number(step.upstream),
                           "story": str(step), "sends": sends})
    finally:
        for n, g in saved:
            n.grad = g
    for node in order:  # edges the walk never crossed (into constant-only subgraphs)
        for k, parent in enumerate(node._parents):
            key = (index[id(parent)], index[id(node)], k)
            if key not in edge_of:
                edge_of[key] = len(edges)
                local = node._op.local(*[p.data for p in node._parents], node.data)
                edges.append({"from": key[0], "to": key[1], "position": k,
                              "local": format_number(local[k])})
    return {"title": names[id(root)], "nodes": nodes, "edges": edges, "frames": frames,
            "column": _COLUMN, "row": _ROW}


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>', '&' or line separators raw."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def to_html(root: Value, *, seed: float = 1.0,
            max_nodes: Optional[int] = DEFAULT_MAX_STEPPER_NODES) -> str:
    """The stepper page for ``root``'s backward pass, as one self-contained HTML string."""
    if not isinstance(root, Value):
        raise GraphError(f"to_html expects a Value, not {type(root).__name__}")
    count = len(topological_order(root))
    if max_nodes is not None and count > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {count} nodes, more than max_nodes={max_nodes} for the browser "
            "stepper; pass max_nodes=None (or larger) to build it anyway, or use "
            "autograd.render.to_dot for a depth-limited picture")
    data = stepper_data(root, seed)
    title = html.escape(f"pathgrad stepper: {printable(data['title'])}", quote=True)
    fill = {"__TITLE__": title, "__DATA__": _json_for_script(data)}
    # one pass: a label that spells a placeholder is never filled in a second time
    return re.sub("__TITLE__|__DATA__", lambda m: fill[m.group()], _PAGE)


def write_html(root: Value, path: Union[str, os.PathLike], **options: Any) -> str:
    """Write the stepper page for ``root`` to ``path`` (atomically); returns the path."""
    path = os.fspath(path)
    write_atomically(path, to_html(root, **options))
    return path


_PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>__TITLE__</title>
<style>
  body { font: 14px/1.4 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0;
         color: #111827; background: #f9fafb; }
  header { padding: 10px 16px; background: #fff; border-bottom: 1px solid #e5e7eb;
           display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0 12px 0 0; }
  button { font: inherit; padding: 4px 12px; border: 1px solid #9ca3af; border-radius: 6px;
           background: #fff; cursor: pointer; }
  button:hover { background: #f3f4f6; }
  #frame { font-variant-numeric: tabular-nums; min-width: 7em; }
  #story { padding: 8px 16px; background: #fffbeb; border-bottom: 1px solid #fde68a;
           font-family: ui-monospace, Menlo, Consolas, monospace; min-height: 1.4em;
           white-space: pre-wrap; }
  main { display: flex; gap: 16px; padding: 12px 16px; align-items: flex-start; }
  #picture { flex: 1 1 auto; overflow: auto; background: #fff; border: 1px solid #e5e7eb;
             border-radius: 8px; }
  table { border-collapse: collapse; background: #fff; border: 1px solid #e5e7eb; }
  th, td { padding: 3px 10px; text-align: left; border-bottom: 1px solid #f3f4f6;
           white-space: pre; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.current td { background: #fde68a; }
  tr.receives td { background: #fee2e2; }
  .box { stroke: #6b7280; fill: #fff; rx: 8; }
  .input .box { fill: #dbeafe; stroke: #1d4ed8; }
  .output .box { fill: #fde68a; stroke: #b45309; stroke-width: 2; }
  .constant .box { fill: #f3f4f6; stroke: #9ca3af; stroke-dasharray: 3 2; }
  .done .box { stroke-width: 2; }
  .current .box { stroke: #dc2626; stroke-width: 4; }
  .receives .box { fill: #fee2e2; stroke: #dc2626; }
  .name { font-weight: bold; }
  .muted { fill: #6b7280; }
  .gradtext { font-weight: bold; }
  .edge { stroke: #9ca3af; fill: none; stroke-width: 1.2; }
  .edge.hot { stroke: #dc2626; stroke-width: 3; }
  .elabel { fill: #6b7280; font-size: 11px; paint-order: stroke; stroke: #fff;
            stroke-width: 4px; stroke-linejoin: round; }
  .elabel.hot { fill: #dc2626; font-weight: bold; font-size: 12px; }
  .legend { color: #6b7280; padding: 0 16px 12px; }
</style>
</head>
<body>
<header>
  <h1 id="title"></h1>
  <button id="first" title="back to the start (Home)">« start</button>
  <button id="prev" title="previous step (←)">◀ prev</button>
  <button id="play" title="play / pause (space)">▶ play</button>
  <button id="next" title="next step (→)">next ▶</button>
  <input id="slider" type="range" min="0" value="0" aria-label="step">
  <span id="frame"></span>
</header>
<div id="story"></div>
<main>
  <div id="picture"></div>
  <table><thead><tr><th>node</th><th>op</th><th>data</th><th>grad</th></tr></thead>
  <tbody id="totals"></tbody></table>
</main>
<div class="legend">Each step takes the node whose gradient is complete (outlined red) and
sends upstream × local derivative to each parent (red edges); parents pile up what they
receive (red rows).  Edge numbers are local derivatives.</div>
<script type="application/json" id="graph-data">__DATA__</script>
<script>
"use strict";
(function () {
  const G = JSON.parse(document.getElementById("graph-data").textContent);
  const SVGNS = "http://www.w3.org/2000/svg";
  const W = 170, H = 62, PAD = 16;
  const N = G.nodes.length, F = G.frames.length;
  let frame = 0, timer = null;

  function el(tag, attrs, parent, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }
  // Pictures show 4 significant digits; the table beside them shows every digit.
  function short(s) {
    const v = Number(s);
    return (s.length <= 7 || !isFinite(v)) ? s : String(Number(v.toPrecision(4)));
  }

  document.getElementById("title").textContent = "Backward pass of " + G.title;
  const xs = G.nodes.map(n => PAD + n.column * G.column);
  const ys = G.nodes.map(n => PAD + n.row * G.row);
  const svg = el("svg", {width: Math.max(...xs) + W + PAD, height: Math.max(...ys) + H + PAD,
                         "font-size": 12, "font-family": "Helvetica, Arial, sans-serif"});
  document.getElementById("picture").appendChild(svg);

  // layers: edges under the boxes, edge labels over them
  const edgeLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg),
        labelLayer = el("g", {}, svg);
  const edgePaths = [], edgeLabels = [];
  G.edges.forEach(function (e, i) {
    const x1 = xs[e.from] + W, y1 = ys[e.from] + H / 2;
    const x2 = xs[e.to], y2 = ys[e.to] + H / 2 + (e.position - 0.5) * 16;
    const mx = (x1 + x2) / 2;
    edgePaths.push(el("path", {class: "edge",
      d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`}, edgeLayer));
    // labels sit where the edge enters the node that sends along it (right-aligned)
    edgeLabels.push(el("text", {class: "elabel", x: x2 - 6, y: y2 + (e.position ? 13 : -4),
                                "text-anchor": "end"}, labelLayer, short(e.local)));
  });
  const groups = [], gradTexts = [];
  G.nodes.forEach(function (n, i) {
    const g = el("g", {class: "node " + n.kind, id: "node-" + i,
                       transform: `translate(${xs[i]},${ys[i]})`}, nodeLayer);
    el("rect", {class: "box", width: W, height: H, rx: 8}, g);
    // the name, then "= formula" in whatever room is left (about 7 px a character)
    const room = Math.floor((W - 16) / 7), name = clip(n.name, room);
    el("text", {class: "name", x: 8, y: 16}, g, name);
    const bare = t => t.replace(/[ ()]/g, "");
    const left = room - name.length - 3;
    if (n.formula && bare(n.formula) !== bare(n.name) && left >= 5)
      el("text", {class: "muted", x: W - 8, y: 16, "text-anchor": "end"}, g,
         clip("= " + n.formula, left));
    el("text", {class: "muted", x: 8, y: 35}, g, "data");
    el("text", {x: W - 8, y: 35, "text-anchor": "end"}, g, short(n.data));
    if (n.needsGrad) {
      el("text", {class: "muted", x: 8, y: 53}, g, "grad");
      gradTexts.push(el("text", {class: "gradtext", x: W - 8, y: 53, "text-anchor": "end",
                                 id: "svg-grad-" + i}, g, "0"));
    } else gradTexts.push(null);
    groups.push(g);
  });

  const tbody = document.getElementById("totals"), rows = [], gradCells = [];
  G.nodes.forEach(function (n, i) {
    const tr = document.createElement("tr");
    tr.id = "row-" + i;
    [n.name, n.formula || n.kind, n.data].forEach(function (text, column) {
      const td = document.createElement("td");
      td.textContent = column === 2 ? short(text) : text;
      if (column === 2) { td.className = "num"; td.title = text; }
      tr.appendChild(td);
    });
    const td = document.createElement("td");
    td.className = "num grad";
    td.id = "grad-" + i;
    td.textContent = n.needsGrad ? "0" : "";
    tr.appendChild(td);
    tbody.appendChild(tr);
    rows.push(tr);
    gradCells.push(td);
  });

  const slider = document.getElementById("slider");
  slider.max = F;

  function show(k) {
    frame = Math.max(0, Math.min(F, k));
    const grads = G.nodes.map(n => n.needsGrad ? "0" : "");
    const done = new Array(N).fill(false);
    for (let f = 0; f < frame; f++) {
      const fr = G.frames[f];
      grads[fr.node] = fr.grad;
      done[fr.node] = true;
      for (const s of fr.sends) grads[s.to] = s.total;
    }
    const cur = frame > 0 ? G.frames[frame - 1] : null;
    const hotEdges = {}, receivers = {};
    if (cur) for (const s of cur.sends) {
      const factor = s.factor.startsWith("(") ? "(" + short(s.factor.slice(1, -1)) + ")"
                                              : short(s.factor);
      hotEdges[s.edge] = short(cur.grad) + "·" + factor + " = " + short(s.amount);
      receivers[s.to] = true;
    }
    G.nodes.forEach(function (n, i) {
      gradCells[i].textContent = short(grads[i]);
      gradCells[i].title = grads[i];  // every digit on hover
      if (gradTexts[i]) gradTexts[i].textContent = short(grads[i]);
      const state = (cur && cur.node === i) ? " current" : (receivers[i] ? " receives" : "");
      groups[i].setAttribute("class", "node " + n.kind + (done[i] ? " done" : "") + state);
      rows[i].className = state.trim();
    });
    G.edges.forEach(function (e, i) {
      const hot = i in hotEdges;
      edgePaths[i].setAttribute("class", hot ? "edge hot" : "edge");
      edgeLabels[i].setAttribute("class", hot ? "elabel hot" : "elabel");
      edgeLabels[i].textContent = hot ? hotEdges[i] : short(e.local);
    });
    if (cur && groups[cur.node].scrollIntoView)
      groups[cur.node].scrollIntoView({block: "nearest", inline: "nearest"});
    document.getElementById("story").textContent = cur ? cur.story :
      "Before the backward pass: every gradient is 0. Press next (→) to seed the output.";
    document.getElementById("frame").textContent = "step " + frame + " / " + F;
    slider.value = frame;
  }
  function pause() {
    if (timer) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = "▶ play";
  }
  function play() {
    if (timer) { pause(); return; }
    if (frame >= F) show(0);
    document.getElementById("play").textContent = "⏸ pause";
    const asked = /speed=(\d+)/.exec(location.hash);  // page.html#speed=200: ms per step
    const ms = asked ? Math.max(20, Number(asked[1])) : 900;
    timer = setInterval(function () { if (frame >= F) pause(); else show(frame + 1); }, ms);
  }
  document.getElementById("first").onclick = function () { pause(); show(0); };
  document.getElementById("prev").onclick = function () { pause(); show(frame - 1); };
  document.getElementById("next").onclick = function () { pause(); show(frame + 1); };
  document.getElementById("play").onclick = play;
  slider.oninput = function () { pause(); show(Number(slider.value)); };
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowRight") { pause(); show(frame + 1); }
    else if (ev.key === "ArrowLeft") { pause(); show(frame - 1); }
    else if (ev.key === "Home") { pause(); show(0); }
    else if (ev.key === " ") { ev.preventDefault(); play(); }
  });
  show(0);
})();
</script>
</body>
</html>
"""
