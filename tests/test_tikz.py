"""TikZ export (autograd/tikz.py): the Graphviz picture as LaTeX for slides.

Structure tests always run.  The compile tests need ``pdflatex`` with PGF/TikZ: with
CI=true a missing pdflatex FAILS them (CI installs Debian's texlive-latex-base and
texlive-pictures); elsewhere they skip and say what to install.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, backward_steps, paths, render, tanh, to_dot, to_tikz
from autograd.errors import GraphError
from autograd.render import node_ids
from autograd.tikz import latex_escape
from nn import MLP

from proof_helpers import worked_example

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Every character TeX treats specially, the ones OT1 fonts draw as other glyphs, ligature
# starters, controls, and unicode beyond ASCII (math, Greek, emoji, bidi override).
HOSTILE = ('\\{}$&#^_%~<>|"\'`\n-- --- !` ?` ∂αΩ×÷·⋯…−\n'
           '😀\x01\x1b\x7f\u202e é ß 中 \\N \\\\ \\x')


def _example():
    a, b, _, _, e = worked_example()
    e.backward()
    return e, a, b


def _mlp_loss():
    model = MLP(2, [4, 1], seed=0)
    out = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    out = out[0] if isinstance(out, list) else out
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return loss


# --- the escaper ---------------------------------------------------------------------------

@pytest.mark.parametrize("ch", list('\\{}$&#^_%~<>|"`'))
def test_escaper_typesets_each_tex_special_character_by_its_code(ch):
    assert latex_escape(ch) == f"{{\\ttfamily\\char{ord(ch)}}}"


def test_escaper_typesets_a_straight_quote_and_breaks_ligatures():
    assert latex_escape("'") == "{\\ttfamily\\char13}"
    assert latex_escape("--") == "-{}-{}"
    assert latex_escape("!`") == "!{}{\\ttfamily\\char96}"


def test_escaper_writes_greek_and_math_symbols_as_math():
    assert latex_escape("∂") == "\\ensuremath{\\partial}"
    assert latex_escape("αΩ×") == "\\ensuremath{\\alpha}\\ensuremath{\\Omega}" \
                                   "\\ensuremath{\\times}"


def test_escaper_names_every_other_character_by_its_code_point():
    assert latex_escape("\x01") == "{\\ttfamily U+0001}"
    assert latex_escape("\u202e") == "{\\ttfamily U+202E}"
    assert latex_escape("😀") == "{\\ttfamily U+1F600}"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_escaped_text_is_ascii_with_balanced_braces_and_no_bare_special(text):
    out = latex_escape(text)
    assert out.isascii() and out.isprintable()
    depth = 0
    for ch in out:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    assert not re.search(r"[$&#^_%~]", re.sub(r"[\^_]\{", "", out))  # math ^{..} from a map
    # every backslash starts one of the few commands the escaper writes
    assert not re.sub(r"\\(ttfamily|char|ensuremath|dots)|\\[a-zA-Z]+(?=})", "", out) \
        .count("\\")


# --- structure ----------------------------------------------------------------------------

def test_node_ids_name_every_value_node_of_the_dot():
    e, a, b = _example()
    ids = node_ids(e)
    drawn = sorted(set(re.findall(r"^\s*(n\d+) \[", to_dot(e).source, re.M)))
    assert drawn and all(d in ids for d in drawn)
    assert ids["n0"] is a and ids["n1"] is b and ids[max(ids, key=lambda k: int(k[1:]))] is e


def test_tikz_draws_one_node_per_graphviz_node():
    e, _, _ = _example()
    dot_nodes = re.findall(r"^\s*(n\d\w*) \[", to_dot(e).source, re.M)
    tikz_nodes = re.findall(r"\\node\[[^]]*\] \((n[\w-]+)\) at", to_tikz(e))
    assert sorted(tikz_nodes) == sorted(n.replace("_", "-") for n in dot_nodes)


def test_value_boxes_show_name_data_and_grad_as_in_the_picture():
    e, _, _ = _example()
    tex = to_tikz(e)
    b_box = re.search(r"\\node[^\n]*\(n1\) at [^\n]*", tex).group(0)
    assert "\\textbf{b}" in b_box and "{data}" in b_box and "{1}" in b_box
    assert "\\textbf{5}" in b_box  # ∂e/∂b = 5, in bold as in the Graphviz picture
    assert "rounded corners" in b_box


def test_op_nodes_are_circles_with_the_op_symbol():
    e, _, _ = _example()
    times = re.search(r"\\node\[([^]]*)\] \(n5-op\)[^\n]*", to_tikz(e)).group(0)
    assert "circle" in times and "\\ensuremath{\\times}" in times


def test_edges_follow_graphviz_splines_with_local_derivative_labels():
    e, _, _ = _example()
    tex = to_tikz(e)
    assert len(re.findall(r"\\draw\[[^]]*-stealth\] \(", tex)) == to_dot(e).source.count("->")
    labels = re.findall(r"\\node\[pg\d+, inner sep=0, font=[^]]*\] at \([^)]*\) \{(\d+)\};",
                        tex)
    assert sorted(labels) == ["1", "1", "1", "2", "3"]  # c·d: ∂/∂c = d = 2, ∂/∂d = c = 3


def test_nodes_sit_at_graphviz_positions():
    import json
    e, _, _ = _example()
    layout = json.loads(to_dot(e).pipe("json"))
    tex = to_tikz(e)
    for obj in layout["objects"]:
        x, y = (float(v) for v in obj["pos"].split(","))
        at = re.search(rf"\(({obj['name'].replace('_', '-')})\) at \(([-\d.]+),([-\d.]+)\)",
                       tex)
        assert abs(float(at.group(2)) - x) < 0.01 and abs(float(at.group(3)) - y) < 0.01


def test_a_step_highlight_marks_the_node_and_the_edges_it_sends_along():
    e, _, _ = _example()
    plain = to_tikz(e)
    step = list(backward_steps(e))[1]
    hot = to_tikz(e, highlight=step)
    assert "{DC2626}" not in plain and "{DC2626}" in hot
    red = re.search(r"\\definecolor\{(pg\d+)\}\{HTML\}\{DC2626\}", hot).group(1)
    assert re.search(rf"\\node\[[^]]*draw={red}[^]]*\] \(n4\)", hot)  # the step's node
    assert re.search(rf"\\draw\[{red}, line width=2.5bp", hot)     # what it sends
    assert "sends" in hot


def test_a_path_highlight_marks_every_edge_of_the_path():
    e, _, b = _example()
    path = paths(e, [b])[0]
    hot = to_tikz(e, highlight=path)
    red = re.search(r"\\definecolor\{(pg\d+)\}\{HTML\}\{DC2626\}", hot).group(1)
    assert len(re.findall(rf"\\draw\[{red}, line width=2.5bp", hot)) == len(path.edges)


def test_opened_derived_ops_draw_their_frame():
    x = Value(0.5, label="x")
    y = tanh(x)
    y.backward()
    tex = to_tikz(y, derived="open")
    assert "dashed] (" in tex and "fused" in tex


def test_standalone_false_gives_only_the_tikzpicture():
    e, _, _ = _example()
    picture = to_tikz(e, standalone=False)
    assert picture.startswith("\\begin{tikzpicture}")
    assert picture.rstrip().endswith("\\end{tikzpicture}")
    assert "\\documentclass" not in picture
    assert picture in to_tikz(e)


def test_the_document_is_ascii():
    e, a, _ = _example()
    a.label = HOSTILE
    assert to_tikz(e).isascii()


def test_render_with_a_tex_suffix_writes_the_tikz_document(tmp_path):
    e, _, _ = _example()
    path = render(e, tmp_path / "g.tex")
    with open(path, encoding="ascii") as f:
        assert f.read() == to_tikz(e)


def test_to_tikz_rejects_what_is_not_a_value():
    with pytest.raises(GraphError, match="to_tikz expects a Value, not float"):
        to_tikz(1.0)


def test_output_is_byte_identical_across_processes_and_hash_seeds():
    program = ("from nn import MLP\nfrom autograd import Value, to_tikz\n"
               "m = MLP(2, [4, 1], seed=0)\n"
               "o = m([Value(0.5), Value(-1.0)])\no = o[0] if isinstance(o, list) else o\n"
               "l = (o - 1.0) ** 2\nl.backward()\nimport sys\n"
               "sys.stdout.write(to_tikz(l))\n")
    outputs = []
    for seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=ROOT)
        done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True,
                              timeout=120, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and outputs[0].count(b"\\node") > 50


# --- compiling with pdflatex ----------------------------------------------------------------

@pytest.fixture(scope="module")
def pdflatex():
    found = shutil.which("pdflatex")
    if not found:
        message = ("TikZ compile test needs pdflatex with PGF/TikZ "
                   "(apt-get install texlive-latex-base texlive-pictures)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _compile(pdflatex, tex, tmp_path, name):
    source = tmp_path / f"{name}.tex"
    source.write_text(tex, encoding="ascii")
    done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                           f"{name}.tex"], cwd=tmp_path, capture_output=True, timeout=60)
    log = (tmp_path / f"{name}.log").read_text(encoding="latin-1")
    assert done.returncode == 0, log[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    assert "Missing character" not in log
    return log


def test_the_worked_example_compiles_with_pdflatex(pdflatex, tmp_path):
    e, _, b = _example()
    _compile(pdflatex, to_tikz(e, highlight=paths(e, [b])[1]), tmp_path, "worked")


def test_an_mlp_with_a_squared_error_loss_compiles_with_pdflatex(pdflatex, tmp_path):
    _compile(pdflatex, to_tikz(_mlp_loss()), tmp_path, "mlp")


def test_a_label_holding_every_special_character_compiles(pdflatex, tmp_path):
    e, a, b = _example()
    a.label = HOSTILE
    b.label = "}{\\end{document}$"
    log = _compile(pdflatex, to_tikz(e), tmp_path, "hostile")
    assert "Undefined control sequence" not in log


def test_the_bare_tikzpicture_compiles_in_a_beamer_like_document(pdflatex, tmp_path):
    e, _, _ = _example()
    tex = ("\\documentclass{article}\n\\usepackage{tikz}\n\\begin{document}\n"
           "\\resizebox{0.9\\textwidth}{!}{" + to_tikz(e, standalone=False) +
           "}\n\\end{document}\n")
    _compile(pdflatex, tex, tmp_path, "snippet")


def test_every_value_box_shows_the_texts_of_its_graphviz_box():
    import html
    loss = _mlp_loss()
    source, tex = to_dot(loss).source, to_tikz(loss)
    boxes = re.findall(r"^\s*(n\d+) \[label=<(.*)>", source, re.M)
    assert len(boxes) > 20
    for name, label in boxes:
        line = re.search(rf"\\node[^\n]*\({name}\) at [^\n]*", tex).group(0)
        for text in re.findall(r">([^<>]+)<", label):
            assert latex_escape(html.unescape(text)) in line, (name, text)
