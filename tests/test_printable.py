"""Labels with control, escape and bidi characters are shown escaped (``\\x1b``,
``\\u202e``) by every text view and the browser page, never passed raw to a terminal."""

import dataclasses
import re

import pytest

from autograd import Value, explain, to_html
from autograd.explain import printable
from autograd.steps import backward_steps

HOSTILE = ["\x1b[2J", "\u202e", "\u2066", "\x00", "\x07", "\n", "\u2028", "\ud800", "\U000e0041"]


@pytest.mark.parametrize("bad", HOSTILE)
def test_printable_escapes_every_character_a_terminal_would_act_on(bad):
    shown = printable(f"a{bad}b")
    assert shown.isprintable() and shown.startswith("a\\") and shown.endswith("b")


def test_printable_keeps_ordinary_unicode():
    assert printable("∂f/∂x → é ü 漢 α") == "∂f/∂x → é ü 漢 α"


def _hostile_graph():
    a = Value(2.0, label="a\x1b[31m\u202e")
    b = a * a + 1
    b.label = "out\u2066\x00"
    b.backward()
    return b


def _clean(text):
    return all(ch == "\n" or ch.isprintable() for ch in text)


def test_explain_escapes_labels():
    text = explain(_hostile_graph())
    assert _clean(text) and "a\\x1b[31m\\u202e" in text and "out\\u2066\\x00" in text


def test_str_of_step_escapes_labels():
    root = _hostile_graph()
    texts = [str(step) for step in backward_steps(root)]
    assert all(_clean(t) for t in texts) and "a\\x1b[31m\\u202e" in texts[-1]


def test_step_without_names_escapes_the_label_too():
    root = _hostile_graph()
    step = dataclasses.replace(next(iter(backward_steps(root))), names=None)
    assert _clean(step.name()) and step.name() == "out\\u2066\\x00"


def test_page_title_escapes_control_and_bidi_characters():
    page = to_html(_hostile_graph())
    title = re.search("<title>(.*?)</title>", page, re.S).group(1)
    assert title == "pathgrad stepper: out\\u2066\\x00"


def test_a_root_labelled_with_a_placeholder_does_not_pull_the_data_into_the_title():
    for placeholder in ("__DATA__", "__TITLE__", "__SVG__"):
        root = _hostile_graph()
        root.label = placeholder
        page = to_html(root)
        title = re.search("<title>(.*?)</title>", page, re.S).group(1)
        assert title == f"pathgrad stepper: {placeholder}"
        head = page[:page.index("</head>")]
        assert page.count('"nodes"') == 1 and head.count("<title>") == 1
        assert page.count("<svg") >= 1 and title.count("<svg") == 0


def test_a_lone_surrogate_in_a_label_is_written_escaped_to_the_page(tmp_path):
    from autograd import write_html
    a = Value(1.0, label="x\ud800")
    path = write_html(a * 2, tmp_path / "page.html")
    text = open(path, encoding="utf-8").read()
    assert "x\\\\ud800" in text or "x\\ud800" in text
