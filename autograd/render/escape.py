"""Escaping text for pictures: what a label shows, and how Graphviz and LaTeX are told it.

Every label goes through :func:`display_text` first (characters that cannot be drawn as
``\\x..`` escapes, long lines cut with "…"), then through the escaper of the output:
:func:`html_text` for Graphviz's HTML-like labels (``& < > " '`` as entities, each backslash
doubled so Graphviz's ``\\N``-style escapes never fire) or :func:`latex_escape` for TikZ
(pure ASCII that typesets the text literally).  So any text is drawn as it is and never
injects markup.

>>> html_text(display_text("a<b>\\n&c"))
'a&lt;b&gt;<BR/>&amp;c'
"""

from __future__ import annotations

import unicodedata

__all__ = ["display_text", "html_text", "latex_escape", "MAX_LABEL"]

#: The longest label drawn in full; longer ones end in "…".
MAX_LABEL = 40


# --- what a label shows -----------------------------------------------------------------------

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


# --- Graphviz HTML-like labels ----------------------------------------------------------------

def html_text(text: str) -> str:
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


# --- LaTeX ------------------------------------------------------------------------------------

# ASCII characters that TeX would read as commands, or typeset as another glyph in the
# default OT1 fonts: each is typeset from the typewriter font by its code, literally.
_LITERAL = '\\{}$&#^_%~<>|"\'`'

# Non-ASCII characters with a safe LaTeX spelling (everything in math works in OT1).
_MATH = {
    "∂": r"\partial", "×": r"\times", "÷": r"\div", "·": r"\cdot", "⋯": r"\cdots",
    "−": "-", "±": r"\pm", "√": r"\surd", "∑": r"\sum", "∏": r"\prod", "∇": r"\nabla",
    "∞": r"\infty", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx",
    "→": r"\rightarrow", "←": r"\leftarrow", "↦": r"\mapsto", "∈": r"\in", "°": r"^{\circ}",
    "²": "^{2}", "³": "^{3}", "¹": "^{1}", "⁰": "^{0}", "⁻": "^{-}", "ˣ": "^{x}",
    "₀": "_{0}", "₁": "_{1}", "₂": "_{2}", "₃": "_{3}", "ℓ": r"\ell", "ϵ": r"\epsilon",
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa",
    "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho",
    "σ": r"\sigma", "τ": r"\tau", "υ": r"\upsilon", "φ": r"\varphi", "ϕ": r"\phi",
    "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta",
    "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma",
    "Υ": r"\Upsilon", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
}
_TEXT = {"…": r"\dots{}", "–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'"}


def latex_escape(text: str) -> str:
    """``text`` as LaTeX that typesets it literally, in pure ASCII.

    >>> latex_escape("\\\\x~")
    '{\\\\ttfamily\\\\char92}x{\\\\ttfamily\\\\char126}'
    >>> latex_escape("∂e/∂b α")
    '\\\\ensuremath{\\\\partial}e/\\\\ensuremath{\\\\partial}b \\\\ensuremath{\\\\alpha}'
    >>> latex_escape("😀")
    '{\\\\ttfamily U+1F600}'
    """
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _LITERAL:  # cmtt has ASCII's glyphs; its straight quote ' is at 13
            out.append(f"{{\\ttfamily\\char{13 if ch == chr(39) else code}}}")
        elif ch == "-":
            out.append("-{}")  # no -- or --- ligature
        elif ch in "!?":
            out.append(ch + "{}")  # no !` or ?` ligature
        elif ch == "\n":
            out.append(" ")
        elif 0x20 <= code < 0x7f:
            out.append(ch)
        elif ch in _MATH:
            out.append(f"\\ensuremath{{{_MATH[ch]}}}")
        elif ch in _TEXT:
            out.append(_TEXT[ch])
        else:  # controls, other scripts, emoji ...: the code point, never the raw byte
            out.append(f"{{\\ttfamily U+{code:04X}}}")
    return "".join(out)
