"""Drawing: DOT and SVG of any output, deterministic, safe for any label, on either Graphviz."""

import importlib
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings, strategies as st

from autograd import GraphTooLargeError, GraphvizNotFoundError, Value
from autograd.paths import paths
from autograd.render import display_text, render, repr_mimebundle, to_dot, to_svg
from autograd.steps import backward_steps

from proof_helpers import worked_example

# The module itself, even if the package exports a function named render.
R = importlib.import_module("autograd.render")
P = importlib.import_module("autograd.render.plan")  # what is drawn
SVG = "{http://www.w3.org/2000/svg}"
HERE = os.path.dirname(os.path.abspath(__file__))


def svg_texts(svg: str) -> str:
    """All text an SVG shows, one <text> element per line (parsing proves it well-formed)."""
    root = ET.fromstring(svg.encode("utf-8"))
    return "\n".join(el.text or "" for el in root.iter(SVG + "text")).replace("\xa0", " ")


def example():
    *_, e = worked_example()
    e.backward()
    return e


@pytest.fixture
def pure_graphviz(monkeypatch):
    """Hide the system dot: only the pip-installed graphviz-pure (next to Python) is left."""
    monkeypatch.setenv("PATH", "")
    command = R.graphviz_command()
    assert os.path.basename(command[0]).startswith("graphviz-pure")
    return command


@pytest.fixture
def no_graphviz(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))


# --- what is drawn ------------------------------------------------------------------------

def test_every_value_shows_label_data_and_grad():
    texts = svg_texts(to_svg(example()))
    for name, data, grad in [("a", "2", "2"), ("b", "1", "5"), ("c", "3", "2"), ("d", "2", "3"),
                             ("e", "6", "1")]:
        assert f"{name}\ndata\n{data}\ngrad\n{grad}" in texts


def test_inputs_output_ops_and_constants_look_different():
    source = to_dot(example()).source
    fills = {}
    for line in source.splitlines():
        if "fillcolor=" in line:
            node = line.split()[0]
            fills[node] = line.split('fillcolor="')[1].split('"')[0]
    # order: a=n0, b=n1, c=n2, 1=n3, d=n4, e=n5
    assert fills["n0"] == fills["n1"] == P.INPUT[0]
    assert fills["n5"] == P.OUTPUT[0]
    assert fills["n2"] == fills["n4"] == P.INNER[0]
    assert fills["n3"] == P.CONST[0]
    assert fills["n2_op"] == P.OP[0]
    assert len({P.INPUT[0], P.OUTPUT[0], P.INNER[0], P.CONST[0], P.OP[0]}) == 5


def test_edges_carry_local_derivatives():
    source = to_dot(example()).source
    assert 'n2 -> n5_op [label=<2>' in source and 'n4 -> n5_op [label=<3>' in source


def test_a_step_is_highlighted_with_what_it_sends():
    e = example()
    first = next(iter(backward_steps(e)))
    svg = to_svg(e, highlight=first)
    assert "sends 1·2 = 2" in svg_texts(svg) and "sends 1·3 = 3" in svg_texts(svg)
    assert f'n2 -> n5_op [label=<sends 1·2 = 2> color="{P.HOT}"' in \
        to_dot(e, highlight=first).source


def test_a_path_is_highlighted_edge_by_edge():
    e = example()
    b_c_e = paths(e)[1]  # a's path is first; then b → c → e
    assert [n.label for n in b_c_e.nodes] == ["b", "c", "e"]
    source = to_dot(e, highlight=b_c_e).source
    hot = [line.split()[0:3] for line in source.splitlines()
           if P.HOT in line and "->" in line]
    assert sorted(" ".join(h) for h in hot) == [
        "n1 -> n2_op", "n2 -> n5_op", "n2_op -> n2", "n5_op -> n5"]  # b → (+) → c → (×) → e


def test_a_derived_op_is_one_box_or_opened_into_its_primitives():
    x = Value(-1.0, label="x")
    y = x.relu() + abs(x); y.label = "y"
    boxed = to_dot(y, derived="box").source
    opened = to_dot(y, derived="open").source
    assert "label=<relu>" in boxed and "label=<abs>" in boxed and "label=<max>" not in boxed
    assert "cluster" not in boxed
    assert "subgraph cluster_" in opened and "label=<max>" in opened
    # abs = max(x, neg(x)): the neg frame sits inside the abs frame
    abs_at = opened.index("label=<abs>")
    neg_at = opened.index("label=<neg>")
    assert abs_at < neg_at


def test_a_fused_op_is_one_node_or_opened_into_its_reference_composite():
    x = Value(0.5, label="x")
    y = x.tanh(); y.label = "y"
    y.backward()
    before = x.grad
    boxed = to_dot(y).source
    opened = to_dot(y, derived="open").source
    assert "label=<tanh>" in boxed and "cluster" not in boxed and "label=<exp>" not in boxed
    assert "subgraph cluster_f1" in opened and "tanh, fused: its reference composite" in opened
    assert "label=<sigmoid>" in opened and "label=<sub>" in opened  # 2σ(2x) − 1
    # the composite's first op takes x (n0) itself, and it ends in y's own op node
    assert "n0 -> n1_f" in opened and "n1_op -> n1" in opened
    assert x.grad == before  # drawing ran the composite on copies, not on x


def test_a_boxed_derived_op_edge_carries_its_whole_derivative():
    x = Value(2.0, label="x")
    y = x - 3 * x; y.label = "y"  # sub(x, 3x): ∂/∂x through the box is 1, through 3x is -1
    source = to_dot(y).source
    assert "label=<sub>" in source
    boxes = [line for line in source.splitlines() if "_op [label=<" in line and "->" in line]
    assert sorted(line.split("label=<")[1].split(">")[0] for line in boxes) == ["-1", "1", "3"]


def test_notebook_bundle_is_svg():
    bundle = repr_mimebundle(example())
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert bundle["text/plain"].startswith("Value(6.0")


def test_render_writes_svg_png_and_dot_by_suffix(tmp_path):
    e = example()
    assert open(render(e, tmp_path / "g.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    ET.parse(render(e, tmp_path / "g.svg"))
    assert open(render(e, tmp_path / "g.dot")).read() == to_dot(e).source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.png", "g.svg"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert os.stat(tmp_path / "g.svg").st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


def test_graphviz_is_imported_only_when_drawing():
    code = ("import sys, autograd, autograd.render, autograd.cli, autograd.stepper; "
            "print('graphviz' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


# --- deterministic --------------------------------------------------------------------------

SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from autograd import Value
from autograd.render import to_dot
from test_steps import build
x = Value(0.5, label="x"); w = Value(-1.5, label="w")
y = (x * w).tanh() + (x - w).relu() + abs(x).softplus() + x.maximum(w)
y.backward()
leaves, z = build(([1.0, -2.0, 0.5], [("mul", 0, 1), ("sub", 3, 2), ("abs", 4, 0),
                                      ("softplus", 5, 1), ("max", 6, 3)]))
z.backward()
for root in (y, z):
    for derived in ("box", "open"):
        sys.stdout.write(to_dot(root, derived=derived).source)
"""


def test_dot_is_byte_identical_across_processes_and_hash_seeds():
    outputs = []
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", SCRIPT.format(tests=HERE)], env=env,
                              capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and len(outputs[0]) > 1000


# --- safe labels ----------------------------------------------------------------------------

NASTY = ['<b>x</b>', 'say "hi"', "{a} | {b}", "back\\slash \\N \\G \\n \\\\", "it's",
         "two\nlines", "&amp; &lt;", "]]> <!-- -->", "tab\there", "\u202eevil", "x\x00y"]


@pytest.mark.parametrize("label", NASTY)
def test_labels_that_would_break_dot_are_drawn_literally(label):
    x = Value(1.0, label=label)
    y = x * 2; y.label = "y"
    texts = svg_texts(to_svg(y))
    for line in display_text(label).split("\n"):
        assert line in texts


def test_control_characters_are_shown_as_escapes():
    assert display_text("a\tb\x00\u202e") == "a\\x09b\\x00\\u202e"
    assert display_text("x" * 100).endswith("…") and len(display_text("x" * 100)) == 40


def check_label_is_shown(label):
    x = Value(1.0, label=label)
    y = x * 2; y.label = label
    texts = svg_texts(to_svg(y, legend=False))
    # a node's name is its label made printable (newlines and controls as escapes), then
    # cut to the box's width
    from autograd.explain import printable
    for line in display_text(printable(label)).split("\n"):
        line = line.replace("\xa0", " ")
        if line.strip():
            assert line in texts


@settings(max_examples=40)
@given(st.text(max_size=30))
def test_any_text_label_renders_to_well_formed_svg_showing_it(label):
    check_label_is_shown(label)


@settings(max_examples=15)
@given(st.text(alphabet='<>"{}|\\\'\n&; abc', max_size=20))
def test_any_text_label_is_shown_by_graphviz_pure_too(label):
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = ""
    try:
        check_label_is_shown(label)
    finally:
        os.environ["PATH"] = saved


# --- which Graphviz -------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("dot") is None, reason="the system Graphviz `dot` is not "
                    "installed (apt-get install graphviz); the graphviz-pure path is tested")
def test_system_dot_is_preferred_when_present():
    assert R.graphviz_command() == [shutil.which("dot")]
    svg = to_svg(example())
    assert "graphviz-pure" not in svg.split("<svg")[0]
    ET.fromstring(svg.encode())


def test_pip_graphviz_pure_draws_when_there_is_no_system_dot(pure_graphviz, tmp_path):
    svg = to_svg(example())
    assert "graphviz-pure" in svg.split("<svg")[0]
    assert "b\ndata\n1\ngrad\n5" in svg_texts(svg)
    assert open(render(example(), tmp_path / "g.png"), "rb").read(4) == b"\x89PNG"


def test_no_graphviz_at_all_is_one_error_naming_both_fixes(no_graphviz):
    e = example()
    source = to_dot(e).source  # DOT needs no program
    assert source.startswith("digraph")
    with pytest.raises(GraphvizNotFoundError) as info:
        to_svg(e)
    message = str(info.value)
    assert "apt-get install graphviz" in message and 'pip install "pathgrad[draw]"' in message
    assert "Value(6.0" in repr_mimebundle(e)["text/plain"]
    assert "pathgrad[draw]" in repr_mimebundle(e)["text/plain"]


# --- big graphs -----------------------------------------------------------------------------

def drawn_nodes(source):
    """Names of the nodes a DOT source defines (not edges)."""
    return [line.split()[0] for line in source.splitlines()
            if line.startswith("\t") and " [" in line and "->" not in line
            and line.split()[0][0] == "n"]


def big_graph(n=10_000):
    x = Value(0.5, label="x")
    w = Value(0.9, label="w")
    y = x
    for _ in range(n // 2):
        y = (y * w).tanh()
    y.label = "y"
    return y


def test_a_big_graph_is_drawn_depth_limited_with_a_summary():
    y = big_graph()
    drawing = to_dot(y)
    source = drawing.source
    nodes = drawn_nodes(source)
    assert 80 <= len([n for n in nodes if not n.endswith("_cut") and "_use" not in n]) \
        <= R.DEFAULT_MAX_NODES  # alias chips of the shared w are extra
    assert "⋯" in source
    texts = svg_texts(drawing.svg())
    assert "10002 nodes" in texts and "within" in texts and "depth=" in texts


def test_depth_can_be_chosen_and_a_view_too_big_is_refused():
    y = big_graph(3000)
    small = to_dot(y, depth=3).source
    # y = tanh(mul(tanh(...), w)): within 3 steps: y, mul, tanh, w, mul and their 4 ops
    assert [n for n in drawn_nodes(small) if n.endswith("_op")] == \
        ["n2998_op", "n2999_op", "n3000_op", "n3001_op"]
    assert drawn_nodes(small).count("n2998_cut") == 1 and "⋯" in small
    with pytest.raises(GraphTooLargeError, match="max_nodes"):
        to_dot(y, depth=500, max_nodes=100)
