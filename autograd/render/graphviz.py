"""Finding and running Graphviz: the ``dot`` program, its time bound, and :class:`Drawing`.

Rendering runs the system ``dot`` if it is on PATH, else the ``graphviz-pure`` program of
the pip package (``pip install "pathgrad[draw]"``); with neither, a
:class:`~autograd.errors.GraphvizNotFoundError` names both fixes.  Every run has a time bound
(:data:`GRAPHVIZ_TIMEOUT`, or ``timeout=``); past it, a
:class:`~autograd.errors.GraphvizTimeoutError` names the ways to draw less.

A :class:`Drawing` holds DOT text (what :func:`~autograd.render.to_dot` writes) and turns it
into SVG, PNG or a file with these programs:

>>> drawing = Drawing("digraph pathgrad {\\n\\tn0 [label=x]\\n}\\n")
>>> drawing
<Drawing: 3 lines of DOT>
>>> raster_args("png", 200, None)
('-Gdpi=200',)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any, Optional, Union

from ..errors import GraphError, GraphvizNotFoundError, GraphvizTimeoutError
from ..files import write_atomically

__all__ = ["Drawing", "graphviz_command", "neato_command", "run_graphviz", "layout_json",
           "raster_args", "GRAPHVIZ_TIMEOUT"]

#: Seconds Graphviz may take for one picture before :class:`GraphvizTimeoutError`.
GRAPHVIZ_TIMEOUT = 60.0

_FIX = ('install Graphviz: `apt-get install graphviz` (or brew/choco/conda install '
        'graphviz), or `pip install "pathgrad[draw]"` for the pip-installable graphviz-pure')


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


def raster_args(fmt: str, dpi: Optional[float], scale: Optional[float]) -> tuple:
    """``-Gdpi=`` for raster output: ``dpi`` dots per inch, or ``scale`` × 96 (Graphviz's
    default for PNG)."""
    if dpi is None and scale is None:
        return ()
    value = dpi if dpi is not None else 96.0 * float(scale)
    if not isinstance(value, (int, float)) or not 1 <= value <= 2400:
        raise GraphError(f"dpi must be a number from 1 to 2400 (scale from 0.01 to 25), "
                         f"got dpi={dpi!r} scale={scale!r}")
    return (f"-Gdpi={value:g}",) if fmt in _RASTER else ()


def neato_command() -> list[str]:
    """The system ``neato`` (draws at pinned positions), found beside ``dot``."""
    dot = graphviz_command()[0]
    for candidate in (shutil.which("neato"), os.path.join(os.path.dirname(dot), "neato")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate]
    raise GraphvizNotFoundError(
        "a step sequence with fixed node positions needs the system Graphviz `neato` "
        "program (it comes with `dot`): apt-get install graphviz (or brew/choco/conda "
        "install graphviz)")


def run_graphviz(source: str, fmt: str, timeout: Optional[float] = None,
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
        return run_graphviz(self.source, format, timeout, raster_args(format, dpi, scale))

    def layout(self, *, sizes: bool = False, timeout: Optional[float] = None) -> dict:
        """Where Graphviz ``dot`` puts each node: ``{node id: (x, y)}`` in points (1/72
        inch), origin at the bottom left, y upwards; with ``sizes=True`` ``(x, y, width,
        height)``.  Node ids are the DOT's: ``n<k>`` for the value at position k of
        :func:`~autograd.graph.topological_order`, ``n<k>_op`` for the op that made it,
        ``n<k>_cut``, ``n<k>_use<j>`` (alias chips) and ``n<k>_f<j>`` (inside an opened
        fused op).  The same ids in every process."""
        found = layout_json(self.source, timeout)
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


def layout_json(source: str, timeout: Optional[float] = None) -> dict:
    """Node boxes (centre x, y, width, height in points) and cluster bounding boxes from
    ``dot -Tjson``."""
    data = json.loads(run_graphviz(source, "json", timeout).decode("utf-8"))
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

