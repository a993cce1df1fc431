"""TikZ pictures of a graph, for LaTeX and Beamer slides.

:func:`to_tikz` draws the same picture as :func:`~autograd.render.dot.to_dot` (it takes the
same options: ``highlight``, ``derived``, ``digits`` ...) as LaTeX: Graphviz lays the DOT out
once (``-Tjson``), and every node, edge, frame and caption is written as TikZ at Graphviz's
coordinates, in the DOT's colours and line widths.  Value boxes show their name, ``data`` and
``grad`` from the graph itself (named and formatted as in pictures and tables); op circles,
edge labels (local derivatives) and captions come from the DOT.

- ``to_tikz(out)`` is a whole document that ``pdflatex`` compiles on its own (the page is the
  picture's size plus a small border), needing only LaTeX and PGF/TikZ (Debian:
  ``texlive-latex-base texlive-pictures``);
- ``to_tikz(out, standalone=False)`` is just the ``tikzpicture``: paste it into a Beamer
  frame (it needs ``\\usepackage{tikz}`` and nothing else; ``\\resizebox`` scales it);
- ``render(out, "g.tex")`` writes the document.

The text is pure ASCII: every character a label may hold is escaped for LaTeX (``\\ { } $
& # ^ _ % ~`` and the rest of ASCII punctuation literally, Greek and the usual math symbols
as math, any other character as its code point ``U+....``), so no label breaks the document.
The output is byte-identical across runs.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1); e.label = "e"
>>> e.backward()
>>> picture = to_tikz(e, standalone=False)   # just the tikzpicture, for a Beamer frame
>>> picture.startswith("\\\\begin{tikzpicture}"), "(n1)" in picture   # b's box is node n1
(True, True)
>>> latex_escape("α_1")
'\\\\ensuremath{\\\\alpha}{\\\\ttfamily\\\\char95}1'
"""

from __future__ import annotations

import html
import inspect
import json
import os
import re
from typing import Any, Optional, Union

from ..errors import GraphError
from ..explain import format_number, node_names
from ..files import write_atomically
from ..graph import topological_order
from ..value import Value
from .dot import to_dot
from .escape import display_text, latex_escape
from .plan import node_ids

__all__ = ["to_tikz", "save_tikz", "latex_escape"]

#: The border around the picture on the page of a standalone document, in bp.
BORDER = 4

# --- reading the Graphviz layout --------------------------------------------------------------

def _plain(label: Any) -> list[list[str]]:
    """The text of a DOT label (plain or HTML-like) as rows of cells, entities decoded."""
    text = str(label or "")
    if "<TR" not in text:
        rows = [[part] for part in re.split(r"<BR\s*/?>", text)]
    else:
        rows = [re.findall(r"<TD[^>]*>(.*?)</TD>", row, re.S)
                for row in re.findall(r"<TR[^>]*>(.*?)</TR>", text, re.S)]
    return [[_decode(re.sub(r"<[^>]*>", "", cell)) for cell in row] for row in rows]


def _decode(text: str) -> str:
    # render escapes a backslash as two (&#92;&#92;) so that Graphviz draws one
    return html.unescape(text).replace("\\\\", "\\")


def _num(x: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros (deterministic)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _point(text: str) -> tuple[float, float]:
    x, y = text.split(",")[:2]
    return float(x), float(y)


class _Colors:
    """DOT colours as xcolor names, numbered in order of first use."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, value: Any, default: str = "black") -> str:
        text = str(value or "").strip().lower()
        if text in ("", "none", "transparent"):
            return default
        if re.fullmatch(r"#[0-9a-f]{6}([0-9a-f]{2})?", text):
            if len(text) == 9 and text.endswith("00"):
                return "none"
            key = text[1:7].upper()
        elif text in ("white", "black"):
            return text
        else:
            return default
        if key not in self.names:
            self.names[key] = f"pg{len(self.names)}"
        return self.names[key]

    def definitions(self) -> list[str]:
        return [f"\\definecolor{{{name}}}{{HTML}}{{{key}}}" for key, name in self.names.items()]


def _short(x: Any, digits: Optional[int]) -> str:
    """A number as pictures show it: ``digits`` significant digits (None: every digit)."""
    if digits is None:
        return format_number(x)
    x = float(x.data if isinstance(x, Value) else x)
    text = f"{x:.{digits}g}"
    return format_number(float(text)) if "e" not in text else text


def _font(size: Any) -> str:
    """A Graphviz font size (pt) as a LaTeX one; Computer Modern Sans runs a little wider
    than Helvetica, so it is set a little smaller to fit Graphviz's boxes."""
    pt = float(size or 11) * 0.9
    return f"\\sffamily\\fontsize{{{_num(pt)}}}{{{_num(pt * 1.2)}}}\\selectfont"


def _rows_tex(rows: list[list[tuple[str, str, bool]]]) -> str:
    """A small table: each row one cell (centred) or two (left, right); cells are
    (text, colour, bold)."""
    lines = []
    for row in rows:
        cells = []
        for text, color, bold in row:
            body = latex_escape(text) or "~"
            if bold:
                body = f"\\textbf{{{body}}}"
            cells.append(f"\\textcolor{{{color}}}{{{body}}}")
        if len(row) == 1:
            lines.append(f"\\multicolumn{{2}}{{@{{}}c@{{}}}}{{{cells[0]}}}")
        else:
            lines.append(" & ".join(cells[:2]))
    return ("\\begin{tabular}{@{}l@{\\hspace{6bp}}r@{}}" + "\\\\".join(lines)
            + "\\end{tabular}")


def _value_rows(node: Value, name: str, digits: Optional[int], muted: str, ink: str,
                root: Value) -> list[list[tuple[str, str, bool]]]:
    if node.op is None and not node.requires_grad and node is not root:
        return [[(_short(node.data, digits), ink, False)]]
    rows = [[(line, ink if node.label is not None else muted, True)]
            for line in display_text(name).split("\n")]
    rows.append([("data", muted, False), (_short(node.data, digits), ink, False)])
    if node.requires_grad:
        rows.append([("grad", muted, False), (_short(node.grad, digits), ink, True)])
    return rows


def _bezier(points: list[tuple[float, float]]) -> str:
    parts = [f"({_num(points[0][0])},{_num(points[0][1])})"]
    for k in range(1, len(points) - 2, 3):
        (x1, y1), (x2, y2), (x3, y3) = points[k:k + 3]
        parts.append(f".. controls ({_num(x1)},{_num(y1)}) and ({_num(x2)},{_num(y2)}) "
                     f".. ({_num(x3)},{_num(y3)})")
    return " ".join(parts)


def to_tikz(root: Value, *, standalone: bool = True, **options: Any) -> str:
    """The picture of ``root``'s graph as LaTeX: a document ``pdflatex`` compiles, or with
    ``standalone=False`` just its ``tikzpicture``.  Other options are :func:`to_dot`'s."""
    if not isinstance(root, Value):
        raise GraphError(f"to_tikz expects a Value, not {type(root).__name__}")
    drawing = to_dot(root, **options)
    layout = json.loads(drawing.pipe("json").decode("utf-8"))
    digits = options.get("digits", inspect.signature(to_dot).parameters["digits"].default)
    order = topological_order(root)
    values = node_ids(root)
    names = node_names(root, order)
    colors = _Colors()
    body: list[str] = []

    x0, y0, x1, y1 = (float(v) for v in layout["bb"].split(","))
    background = colors(layout.get("bgcolor"), "none")
    if background != "none":
        body.append(f"\\fill[{background}] ({_num(x0)},{_num(y0)}) rectangle "
                    f"({_num(x1)},{_num(y1)});")
    objects = layout.get("objects", [])

    # frames of opened derived ops, outermost first (Graphviz lists them so)
    for obj in objects:
        if not str(obj.get("name", "")).startswith("cluster") or "bb" not in obj:
            continue
        a, b, c, d = (float(v) for v in obj["bb"].split(","))
        width = float(obj.get("penwidth", 1))
        dashed = ", dashed" if "dashed" in str(obj.get("style", "")) else ""
        body.append(f"\\draw[{colors(obj.get('color'))}, line width={_num(width)}bp, "
                    f"rounded corners=4bp{dashed}] ({_num(a)},{_num(b)}) rectangle "
                    f"({_num(c)},{_num(d)});")
        if obj.get("lp"):
            lx, ly = _point(obj["lp"])
            text = " ".join(" ".join(row) for row in _plain(obj.get("label")))
            body.append(f"\\node[{colors(obj.get('fontcolor'))}, inner sep=0, "
                        f"font={_font(obj.get('fontsize'))}] at ({_num(lx)},{_num(ly)}) "
                        f"{{{latex_escape(text)}}};")

    # edges: Graphviz's own splines, the arrow's last segment, the label where it put it
    for edge in layout.get("edges", []):
        pos = str(edge.get("pos", ""))
        end, points = None, []
        for item in pos.split():
            if item.startswith("e,"):
                end = _point(item[2:])
            elif not item.startswith("s,"):
                points.append(_point(item))
        if len(points) < 4:
            continue
        color = colors(edge.get("color"), "black")
        width = float(edge.get("penwidth", 1))
        style = [color, f"line width={_num(width)}bp"]
        if "dashed" in str(edge.get("style", "")):
            style.append("dashed")
        path = _bezier(points)
        if end is not None:
            style.append("-stealth")
            path += f" -- ({_num(end[0])},{_num(end[1])})"
        body.append(f"\\draw[{', '.join(style)}] {path};")
        if edge.get("label") and edge.get("lp"):
            lx, ly = _point(edge["lp"])
            text = " ".join(" ".join(row) for row in _plain(edge["label"]))
            body.append(f"\\node[{colors(edge.get('fontcolor'), color)}, inner sep=0, "
                        f"font={_font(edge.get('fontsize'))}] at ({_num(lx)},{_num(ly)}) "
                        f"{{{latex_escape(text)}}};")

    # nodes: value boxes from the graph, ops and stubs from the DOT
    for obj in objects:
        name = str(obj.get("name", ""))
        if name.startswith("cluster") or "pos" not in obj:
            continue
        x, y = _point(obj["pos"])
        w = float(obj.get("width", 0.3)) * 72
        h = float(obj.get("height", 0.3)) * 72
        shape = str(obj.get("shape", "box"))
        style = str(obj.get("style", ""))
        fill = colors(obj.get("fillcolor"), "white") if "filled" in style else "none"
        draw = colors(obj.get("color"), "black")
        ink = colors(obj.get("fontcolor"), "black")
        found = re.search(r'COLOR="([^"]+)">data<', str(obj.get("label", "")))
        muted = colors(found.group(1), ink) if found else ink
        opts = []
        if shape == "plaintext" or shape == "none":
            opts.append("inner sep=0")
        else:
            opts += [f"fill={fill}", f"draw={draw}",
                     f"line width={_num(float(obj.get('penwidth', 1)))}bp", "inner sep=1bp"]
            if "dashed" in style:
                opts.append("dashed")
            if shape == "circle":
                opts += ["circle", f"minimum size={_num(min(w, h))}bp"]
            else:
                opts += ["rectangle", f"minimum width={_num(w)}bp",
                         f"minimum height={_num(h)}bp"]
                if "rounded" in style:
                    opts.append("rounded corners=5bp")
            if str(obj.get("peripheries", "1")) == "2":
                opts += [f"double={fill if fill != 'none' else 'white'}",
                         "double distance=2bp",
                         f"line width={_num(0.6 * float(obj.get('penwidth', 1)))}bp"]
        opts.append(f"font={_font(obj.get('fontsize'))}")
        node = values.get(name)
        if node is not None and obj.get("class") != "neuron":  # a neuron box: its own rows
            text = _rows_tex(_value_rows(node, names[id(node)], digits, muted, ink, root))
        else:
            rows = _plain(obj.get("label"))
            if len(rows) == 1 and len(rows[0]) == 1:
                text = f"\\textcolor{{{ink}}}{{{latex_escape(rows[0][0])}}}"
            else:
                text = _rows_tex([[(row[0], ink, False), (" ".join(row[1:]), ink, False)]
                                  if len(row) > 2 else [(cell, ink, False) for cell in row]
                                  for row in rows])
        body.append(f"\\node[{', '.join(opts)}] ({name.replace('_', '-')}) at "
                    f"({_num(x)},{_num(y)}) {{{text}}};")

    # the caption (highlight story, summary, legend), one line each
    if layout.get("label") and layout.get("lp"):
        lx, ly = _point(layout["lp"])
        lines = [" ".join(row) for row in _plain(layout["label"])]
        text = "\\\\".join(latex_escape(line) for line in lines)
        body.append(f"\\node[{colors(layout.get('fontcolor'))}, inner sep=0, align=center, "
                    f"font={_font(layout.get('fontsize'))}] at ({_num(lx)},{_num(ly)}) "
                    f"{{{text}}};")

    picture = "\n".join(
        ["\\begin{tikzpicture}[x=1bp, y=1bp, every node/.style={font=\\sffamily}]",
         "% pathgrad: the Graphviz layout of the graph, in bp (1/72 in)"]
        + colors.definitions() + body + ["\\end{tikzpicture}"]) + "\n"
    if not standalone:
        return picture
    return ("% A pathgrad graph picture: pdflatex this file.  The page is the picture plus a\n"
            f"% {BORDER}bp border; to use the picture elsewhere, copy the tikzpicture.\n"
            "\\documentclass{article}\n"
            "\\usepackage{tikz}\n"
            "\\begin{document}\n"
            "\\newsavebox\\pathgradpicture\n"
            "\\sbox\\pathgradpicture{%\n"
            + picture +
            "}\n"
            f"\\pdfpagewidth=\\dimexpr\\wd\\pathgradpicture+{2 * BORDER}bp\\relax\n"
            f"\\pdfpageheight=\\dimexpr\\ht\\pathgradpicture+\\dp\\pathgradpicture"
            f"+{2 * BORDER}bp\\relax\n"
            "\\hoffset=-1in \\voffset=-1in\n"
            f"\\shipout\\hbox{{\\kern{BORDER}bp\\vbox{{\\kern{BORDER}bp"
            f"\\box\\pathgradpicture\\kern{BORDER}bp}}\\kern{BORDER}bp}}\n"
            "\\end{document}\n")


def save_tikz(root: Value, path: Union[str, os.PathLike], **options: Any) -> str:
    """Write :func:`to_tikz`'s document (or picture, ``standalone=False``) to ``path``
    atomically."""
    path = os.fspath(path)
    write_atomically(path, to_tikz(root, **options).encode("ascii"))
    return path
