"""Pictures of a backward pass, step by step: one frame per step, all at one layout.

:func:`step_drawings` draws a frame for every step of a backward pass from zero (the
:class:`~autograd.steps.Stepper` of :func:`~autograd.render.plan.backward_from_zero`, each
frame showing its snapshot's grads and the step in red); Graphviz lays out all frames once,
with the widest text any frame puts on each line, and every frame is pinned to that layout
(:func:`pinned`), so from slide to slide no node moves.  :func:`render_steps` writes them
with ``neato -n2``.

>>> found = {"nodes": {"n0": (27.0, 18.0, 54.0, 36.0)}, "clusters": {}, "edges": {}}
>>> pinned("digraph pathgrad {\\n\\tn0 [label=x]\\n}", found).splitlines()[-2].strip()
'n0 [pos="27.00,18.00!" width=0.7500 height=0.5000 label=x]'
"""

from __future__ import annotations

import os
import re
from typing import Any, Optional

from ..errors import GraphError
from ..files import write_atomically
from ..value import Value
from .dot import to_dot
from .graphviz import Drawing, layout_json, neato_command, raster_args, run_graphviz
from .plan import backward_from_zero

__all__ = ["step_drawings", "render_steps", "pinned"]

_NODE_LINE = re.compile(r"^(\t+)(\w+) \[(.*)$")
_EDGE_LINE = re.compile(r"^(\t+)(\w+) -> (\w+)(?: \[(.*)\])?$")
_CLUSTER_LINE = re.compile(r"^(\t+)subgraph (cluster_\w+) \{$")


def pinned(source: str, found: dict) -> str:
    """``source`` with every node pinned where ``found`` (from
    :func:`~autograd.render.graphviz.layout_json`) puts it, at that size, and every frame
    at its box: drawn by ``neato -n2`` it keeps dot's layout whatever the labels now say."""
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
    stepper = backward_from_zero(root)
    sources = [to_dot(root, highlight=step, grads=stepper.snapshot(k + 1), **options).source
               for k, step in enumerate(stepper.steps)]
    split = [src.splitlines() for src in sources]
    if any(len(lines) != len(split[0]) for lines in split):
        raise GraphError("step frames differ in structure; cannot share one layout")
    # lay out once, with the widest text any frame puts on each line
    merged = "\n".join(max(lines, key=len) for lines in zip(*split)) + "\n"
    found = layout_json(merged)
    return [Drawing(pinned(src, found)) for src in sources]


def render_steps(root: Value, pattern: str, *, timeout: Optional[float] = None,
                 dpi: Optional[float] = None, scale: Optional[float] = None,
                 **options: Any) -> list[str]:
    """Draw every backward step of ``root`` into ``pattern.format(k=k)`` (e.g.
    ``"frames/step{k}.png"``): one layout for all frames, so every node stays in place
    from slide to slide, and each frame shows the grads as they stood at its step.
    Returns the paths written.  Needs the system Graphviz (``dot`` and ``neato``)."""
    if "{k" not in pattern:
        raise GraphError(f"pattern must contain {{k}} for the step number, got {pattern!r}")
    neato = neato_command()
    paths = []
    for k, drawing in enumerate(step_drawings(root, **options)):
        path = pattern.format(k=k)
        fmt = os.path.splitext(path)[1].lstrip(".").lower() or "svg"
        if fmt in ("dot", "gv"):
            data = drawing.source.encode("utf-8")
        else:
            data = run_graphviz(drawing.source, fmt, timeout,
                                ("-n2",) + raster_args(fmt, dpi, scale), neato)
        write_atomically(path, data)
        paths.append(path)
    return paths


