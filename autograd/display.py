"""Text that shows itself well: the aligned text in a REPL, an HTML table in a notebook.

:class:`Shown` is a ``str`` (so ``print``, ``splitlines`` and ``==`` work as on the text)
whose ``repr`` is the text itself and whose ``_repr_html_`` is a table of its rows.

>>> t = Shown("x  1\\ny  2", header=("name", "value"), rows=[("x", "1"), ("y", "2")])
>>> t
x  1
y  2
>>> t._repr_html_().startswith('<table class="pathgrad-table"><thead><tr><th>name')
True
"""

from __future__ import annotations

import html
from typing import Optional, Sequence

__all__ = ["Shown", "html_table"]


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]],
               caption: Optional[str] = None) -> str:
    """An escaped HTML table (numbers right-aligned by the notebook's own CSS)."""
    esc = html.escape
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    head = "".join(f"<th>{esc(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return (f'<table class="pathgrad-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


class Shown(str):
    """A text view with an HTML twin; see the module docstring."""

    header: tuple
    rows: list
    caption: Optional[str]

    def __new__(cls, text: str, *, header: Sequence[str] = (),
                rows: Sequence[Sequence[str]] = (), caption: Optional[str] = None) -> "Shown":
        self = super().__new__(cls, text)
        self.header, self.rows, self.caption = tuple(header), list(rows), caption
        return self

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        if not self.rows:
            return f"<pre>{html.escape(str(self))}</pre>"
        return html_table(self.header, self.rows, self.caption)
