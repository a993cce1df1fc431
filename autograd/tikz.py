"""TikZ pictures of a graph: kept so ``from autograd.tikz import ...`` works; the code is
:mod:`autograd.render.tikz` (and :func:`~autograd.render.escape.latex_escape`).

>>> from autograd.render import tikz
>>> to_tikz is tikz.to_tikz
True
"""

from .render.tikz import latex_escape, save_tikz, to_tikz

__all__ = ["to_tikz", "save_tikz", "latex_escape"]
