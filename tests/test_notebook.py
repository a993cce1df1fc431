"""The stepper in a Jupyter notebook: built with nbformat, run by nbclient on an ipykernel,
exported by nbconvert, and clicked through in headless Chromium.

The kernel is the running Python (jupyter_client's native "python3" kernel), so the
test extras (``pip install -e ".[test]"``) are all it needs.  Without nbformat / nbclient /
ipykernel / nbconvert or without Chromium the test skips saying what to install; under
CI=true it fails instead, like the browser stepper test.
"""

import os

import pytest

from test_html_stepper import _missing, start_chromium

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CELLS = [
    ("markdown", "# The worked example, stepped"),
    ("code", "from autograd import Value, explain\n"
             "from autograd.stepper import NotebookStepper\n"
             "a, b = Value(2.0, label='a'), Value(1.0, label='b')\n"
             "c = a + b; c.label = 'c'\nd = b + 1; d.label = 'd'\ne = c * d; e.label = 'e'"),
    ("code", "NotebookStepper(e)"),
    ("code", "e.backward()\nexplain(e)"),
    ("code", "print('the cell after the stepper')"),
]


def notebook_modules():
    try:
        import nbclient
        import nbconvert
        import nbformat
        import ipykernel  # noqa: F401  (the kernel nbclient starts)
    except ImportError as exc:
        _missing(f"{exc.name} (pip install nbformat nbclient ipykernel nbconvert)")
    return nbformat, nbclient, nbconvert


def test_the_stepper_steps_inside_an_executed_and_exported_notebook(tmp_path, monkeypatch):
    nbformat, nbclient, nbconvert = notebook_modules()
    # the kernel imports this checkout, installed or not
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))
    new = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb = nbformat.v4.new_notebook(cells=[new[kind](source) for kind, source in CELLS])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=30, startup_timeout=30,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    stepper_out = nb.cells[2].outputs[0]["data"]
    assert stepper_out["text/plain"] == "NotebookStepper(e: 5 steps)"
    assert stepper_out["text/html"].startswith(
        '<iframe class="pathgrad-stepper-frame" sandbox="allow-scripts"')
    table = nb.cells[3].outputs[0]["data"]
    assert "b" in table["text/plain"] and "5" in table["text/plain"]  # explain's table
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    exported = tmp_path / "stepped.html"
    exported.write_text(body, encoding="utf-8")

    browser = start_chromium()
    try:
        browser.get("file://" + str(exported))
        cells = browser.execute_script("""
            return [...document.querySelectorAll('.jp-Cell')].map(c => {
                const r = c.getBoundingClientRect();
                return [r.left, r.top, r.bottom, r.width]; });""")
        assert len(cells) == len(CELLS)
        for (left, _, bottom, width), (next_left, next_top, _, _) in zip(cells, cells[1:]):
            assert next_top >= bottom - 1 and abs(next_left - left) < 2  # one under the other
        assert min(c[3] for c in cells) > 600  # full width, not squeezed into columns
        frame = browser.find_element("css selector", "iframe.pathgrad-stepper-frame")
        assert frame.size["height"] >= 400 and frame.size["width"] > 600
        browser.switch_to.frame(frame)
        assert browser.find_element("id", "frame").text == "step 0 of 5"
        browser.find_element("id", "next").click()
        assert browser.find_element("id", "frame").text == "step 1 of 5"
        assert browser.find_element("id", "row-5").get_attribute("class") == "pgs-current"
        assert browser.execute_script(  # e's box (stable id n5) is the highlighted node
            "return document.querySelectorAll('g.node.pgs-current').length") == 2  # box + op
        totals = {r.find_elements("tag name", "td")[0].text:
                  r.find_elements("tag name", "td")[3].text
                  for r in browser.find_elements("css selector", "#totals tr")}
        assert totals == {"e": "1", "d": "3", "c": "2", "b": "—", "a": "—"}
        browser.switch_to.default_content()
        browser.save_screenshot(os.environ.get("PATHGRAD_NOTEBOOK_SHOT",
                                               str(tmp_path / "notebook.png")))
    finally:
        browser.quit()
