"""Pictures of a graph: DOT source, SVG, PNG, TikZ, step-by-step frames, inline in notebooks.

:func:`to_dot` turns the graph of a Value into a :class:`Drawing` (its DOT source);
:func:`render` writes a picture to a file, the format from the suffix (``.tex`` is a
LaTeX/TikZ document from :func:`to_tikz`, anything else goes through Graphviz).  In the
picture every value is a box with its name, ``data`` and ``grad``, every op a circle or a
box, every edge into an op labelled with its local derivative (the product along a path is
that path's term of the gradient, see :mod:`autograd.paths`).

The modules, each with one job, lowest first (each imports only those before it):

- :mod:`~autograd.render.escape`: what a label shows, escaped for Graphviz and LaTeX;
- :mod:`~autograd.render.graphviz`: finding and running ``dot`` (with its time bound), and
  the :class:`Drawing` that holds DOT text;
- :mod:`~autograd.render.plan`: what is drawn (nodes, derived-op boxes and frames, neurons
  and layers, the depth cut, highlights, colours, themes, the legend, step grads);
- :mod:`~autograd.render.dot`: the plan as DOT text (:func:`to_dot`);
- :mod:`~autograd.render.tikz`: the DOT's layout as TikZ (:func:`to_tikz`);
- :mod:`~autograd.render.frames`: one frame per backward step at one layout
  (:func:`step_drawings`, :func:`render_steps`).

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1); e.label = "e"
>>> e.backward()
>>> to_dot(e).source.splitlines()[0]
'digraph pathgrad {'
>>> to_tikz(e, standalone=False).startswith("\\\\begin{tikzpicture}")
True
"""

from __future__ import annotations

import os
from typing import Any, Optional, Union

from ..errors import GraphvizNotFoundError
from ..value import Value, attach
from .dot import layout, to_dot, to_svg
from .escape import MAX_LABEL, display_text, latex_escape
from .frames import render_steps, step_drawings
from .graphviz import GRAPHVIZ_TIMEOUT, Drawing, graphviz_command
from .plan import (COMPOSITES, DEFAULT_MAX_NODES, FANOUT, LEGEND, NOT_YET, grads_at,
                   node_ids, step_grads)
from .tikz import save_tikz, to_tikz

__all__ = ["Drawing", "to_dot", "to_svg", "to_tikz", "save_tikz", "render", "layout",
           "render_steps", "step_drawings", "grads_at", "step_grads", "graphviz_command",
           "display_text", "latex_escape", "repr_mimebundle", "node_ids", "DEFAULT_MAX_NODES",
           "GRAPHVIZ_TIMEOUT", "FANOUT", "LEGEND", "NOT_YET", "MAX_LABEL", "COMPOSITES"]


def render(root: Value, path: Union[str, os.PathLike], *, format: Optional[str] = None,
           timeout: Optional[float] = None, dpi: Optional[float] = None,
           scale: Optional[float] = None, **options: Any) -> str:
    """Draw ``root``'s graph into ``path`` (format from the suffix: svg, png, pdf, dot;
    ``tex`` writes a LaTeX/TikZ document, see :mod:`autograd.render.tikz`); Graphviz may
    take ``timeout`` seconds (default :data:`GRAPHVIZ_TIMEOUT`); ``dpi`` or ``scale`` for
    PNG (``dpi=200`` for slides).  Options as for :func:`to_dot`."""
    if (format or os.path.splitext(os.fspath(path))[1].lstrip(".")).lower() == "tex":
        return save_tikz(root, path, **options)
    return to_dot(root, **options).save(path, format, timeout=timeout, dpi=dpi, scale=scale)


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
