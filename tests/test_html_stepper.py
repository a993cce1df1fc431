"""The browser stepper, driven in a real headless Chromium with selenium.

With CI=true a missing browser, driver or selenium FAILS the test (CI installs Debian's
chromium and chromium-driver); elsewhere the tests skip and say what to install.
"""

import os
import re
import shutil
import time

import pytest

import nn
from autograd import GraphTooLargeError, Value
from autograd.graph import topological_order
from autograd.stepper import NotebookStepper, notebook_html, stepper_data, to_html, write_html

from proof_helpers import worked_example


def _missing(what: str):
    message = (f"browser stepper test needs {what} (apt-get install chromium chromium-driver; "
               "pip install selenium)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def start_chromium():
    """A headless Chromium through selenium, or skip (fail under CI=true) saying why."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium")
    chromium = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                                 "/usr/bin/chromium") if p and os.path.exists(p)), None)
    driver_path = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver")
                        if p and os.path.exists(p)), None)
    if chromium is None:
        _missing("Chromium")
    if driver_path is None:
        _missing("chromedriver")
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800"):
        options.add_argument(arg)
    options.binary_location = chromium
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    # the page itself is 1280 × 800, whatever the browser's window decorations take
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 800, "deviceScaleFactor": 1,
                            "mobile": False})
    return driver


@pytest.fixture(scope="module")
def browser():
    driver = start_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser, tmp_path, root, name="page.html", fragment=""):
    path = write_html(root, tmp_path / name)
    browser.get("file://" + os.path.abspath(path) + fragment)
    return browser


def text(browser, element_id):
    return browser.find_element("id", element_id).text


def grads(browser):
    """The grad column of the running-totals table (the rows shown), by node name."""
    out = {}
    for row in browser.find_elements("css selector", "#totals tr"):
        if not row.is_displayed():
            continue
        cells = row.find_elements("tag name", "td")
        out[cells[0].text] = cells[3].text
    return out


def click(browser, button, times=1):
    for _ in range(times):
        browser.find_element("id", button).click()


def position(browser):
    return browser.execute_script("return Number(document.getElementById('slider').value)")


def press(browser, key, target=None):
    from selenium.webdriver.common.action_chains import ActionChains
    if target is not None:
        browser.execute_script("document.getElementById(arguments[0]).focus()", target)
    ActionChains(browser).send_keys(key).perform()


def mlp_loss(nin, sizes, activation="relu"):
    model = nn.MLP(nin, sizes, activation, seed=0)
    x = [Value(0.5 - i, label=f"x{i}") for i in range(nin)]
    loss = (model(x)[0] - 1.0) ** 2
    loss.label = "loss"
    return loss


def test_next_and_prev_show_each_gradient_arrive(browser, tmp_path):
    *_, e = worked_example()
    page = open_page(browser, tmp_path, e)
    assert text(page, "frame") == "step 0 of 5"
    not_yet = {"a": "—", "b": "—", "c": "—", "d": "—", "e": "—"}  # not computed yet, not 0
    assert grads(page) == not_yet
    click(page, "next")
    assert grads(page) == {"a": "—", "b": "—", "c": "2", "d": "3", "e": "1"}
    assert text(page, "story") == "e = c * d: starts with 1; sends 1·2 = 2 to c, 1·3 = 3 to d"
    assert page.find_element("id", "row-5").get_attribute("class") == "pgs-current"
    assert page.find_element("id", "row-2").get_attribute("class") == "pgs-receives"
    hot = [t.text for t in page.find_elements("css selector", "g.edge.pgs-hot text")]
    assert sorted(hot) == ["2", "3"]  # the local derivatives on the two edges e sends along
    click(page, "next")  # d = b + 1 sends 3 to b
    assert grads(page)["b"] == "3"
    assert page.execute_script(  # the picture agrees: b's box (n1) shows 3
        "return [...document.querySelectorAll('g.node.pgs-receives text')].pop().textContent"
    ) == "3"
    click(page, "next")  # c = a + b: b piles up 3 + 2
    assert grads(page) == {"a": "2", "b": "5", "c": "2", "d": "3", "e": "1"}
    assert "(b now holds 5)" in text(page, "story")
    click(page, "prev")
    assert grads(page)["b"] == "3" and grads(page)["a"] == "—"
    click(page, "next", 3)
    assert text(page, "frame") == "step 5 of 5"
    click(page, "next")  # one more: the summary
    assert text(page, "frame") == "summary (after 5 steps)"
    assert text(page, "story") == "Done: ∂e/∂input for each of its 2 inputs: b = 5, a = 2"
    assert grads(page) == {"b": "5", "a": "2"}  # the table shows the inputs only
    assert page.execute_script("return document.querySelectorAll('g.node.pgs-summed')"
                               ".length") == 2
    click(page, "next")  # past the end stays at the end
    assert text(page, "frame") == "summary (after 5 steps)"


def test_play_runs_to_the_end(browser, tmp_path):
    *_, e = worked_example()
    page = open_page(browser, tmp_path, e, fragment="#speed=100")
    click(page, "play")
    deadline = time.time() + 15
    while not text(page, "frame").startswith("summary") and time.time() < deadline:
        time.sleep(0.2)
    assert text(page, "frame") == "summary (after 5 steps)"
    assert grads(page)["b"] == "5"
    assert text(page, "play") == "▶ play"


def test_labels_are_shown_as_text_never_as_markup(browser, tmp_path):
    evil = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">&amp;'
    x = Value(2.0, label=evil)
    y = x * x
    y.label = '"quoted" <b>bold</b>'
    page = open_page(browser, tmp_path, y, "evil.html")
    assert page.execute_script("return window.pwned === undefined")
    assert page.execute_script("return document.querySelectorAll('img, b').length") == 0
    names = [r.find_elements("tag name", "td")[0].get_attribute("title")
             for r in page.find_elements("css selector", "#totals tr")]
    assert names == ['"quoted" <b>bold</b>', evil]
    click(page, "next")
    assert page.find_element("id", "grad-0").text == "4"


def test_the_page_loads_nothing_from_anywhere(browser, tmp_path):
    *_, e = worked_example()
    page = open_page(browser, tmp_path, e)
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    html = to_html(e)
    for needle in ("src=", "href=", "@import", "url(", "//cdn", "https:", "eval("):
        assert needle not in html


def test_every_css_rule_is_scoped_under_the_stepper_root():
    *_, e = worked_example()
    style = re.search(r"<style>(.*?)</style>", to_html(e), re.S).group(1)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", style)
                 for s in block.split(",")]
    assert len(selectors) > 20
    assert all(s.startswith("#pathgrad-stepper") for s in selectors), selectors


def test_making_the_page_leaves_the_gradients_alone():
    a, b, c, d, e = worked_example()
    e.backward()
    before = [n.grad for n in (a, b, c, d, e)]
    data = stepper_data(e)
    to_html(e)
    assert [n.grad for n in (a, b, c, d, e)] == before
    assert [f["grad"] for f in data["frames"]] == ["1", "3", "2", "5", "2"]  # from zero
    assert [s["grad"] for s in data["summary"]["inputs"]] == ["5", "2"]  # b, then a


def test_a_huge_graph_is_refused_with_the_way_out():
    x = Value(1.0)
    y = x
    for _ in range(300):
        y = y * 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=None"):
        to_html(y)
    assert to_html(y, max_nodes=None).startswith("<!DOCTYPE html>")


def test_the_notebook_view_is_the_page_in_a_sandboxed_iframe():
    *_, e = worked_example()
    frame = notebook_html(e)
    assert frame.startswith('<iframe class="pathgrad-stepper-frame" sandbox="allow-scripts"')
    assert "<script" not in frame and "&lt;script" in frame  # the page only inside srcdoc
    assert NotebookStepper(e)._repr_html_() == frame
    assert repr(NotebookStepper(e)) == "NotebookStepper(e: 5 steps)"


def test_the_mlp_graphs_have_the_sizes_the_page_is_proved_at():
    assert len(topological_order(mlp_loss(2, [4, 1]))) == 57
    assert len(topological_order(mlp_loss(3, [5, 4, 1], "tanh"))) == 145


def in_view(browser, element_id):
    """True when the element lies wholly inside the window and the window has not scrolled."""
    return browser.execute_script("""
        const r = document.getElementById(arguments[0]).getBoundingClientRect();
        return scrollX === 0 && scrollY === 0 && r.width > 0 && r.height > 0 &&
               r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
    """, element_id)


def current_in_pane(browser):
    """The current node's box inside the picture pane, its row inside the table's box."""
    return browser.execute_script("""
        const inside = (a, b) => a.left >= b.left && a.right <= b.right &&
                                 a.top >= b.top && a.bottom <= b.bottom;
        const g = document.querySelector('g.node.pgs-current');
        const tr = document.querySelector('tr.pgs-current');
        return [inside(g.getBoundingClientRect(),
                       document.getElementById('pane').getBoundingClientRect()),
                inside(tr.getBoundingClientRect(),
                       document.getElementById('side').getBoundingClientRect())];
    """)


CONTROLS = ("first", "prev", "play", "next", "last", "slider", "frame", "story",
            "zoom-in", "zoom-out", "fit")


@pytest.mark.parametrize("build, nodes", [
    (lambda: worked_example()[-1], 6),
    (lambda: mlp_loss(2, [4, 1]), 57),
    (lambda: mlp_loss(3, [5, 4, 1], "tanh"), 145),
], ids=["worked-example", "mlp-57", "mlp-145"])
def test_controls_and_story_stay_on_screen_and_each_key_moves_once(browser, tmp_path, build,
                                                                   nodes):
    from selenium.webdriver.common.keys import Keys
    root = build()
    assert len(topological_order(root)) == nodes
    page = open_page(browser, tmp_path, root, f"page{nodes}.html")
    steps = len(stepper_data(root)["frames"])
    assert text(page, "frame") == f"step 0 of {steps}"
    # the middle, by keys and by the slider
    press(page, Keys.ARROW_RIGHT)
    assert position(page) == 1
    press(page, Keys.ARROW_RIGHT, target="slider")  # a focused slider does not add its own
    assert position(page) == 2
    press(page, Keys.ARROW_LEFT, target="slider")
    assert position(page) == 1
    press(page, Keys.ARROW_RIGHT, target="next")
    assert position(page) == 2
    page.execute_script("const s = document.getElementById('slider');"
                        "s.value = arguments[0]; s.dispatchEvent(new Event('input'));",
                        steps // 2)
    assert text(page, "frame") == f"step {steps // 2} of {steps}"
    assert all(in_view(page, c) for c in CONTROLS), [c for c in CONTROLS
                                                    if not in_view(page, c)]
    assert current_in_pane(page) == [True, True]
    assert text(page, "story")
    # Space on a focused button plays once (it does not also click the button)
    press(page, " ", target="next")
    assert text(page, "play") == "⏸ pause" and position(page) == steps // 2
    press(page, " ", target="next")
    assert text(page, "play") == "▶ play" and position(page) == steps // 2
    # End reaches the summary, Home the start, each once
    press(page, Keys.END, target="slider")
    assert position(page) == steps + 1
    assert text(page, "frame") == f"summary (after {steps} steps)"
    assert text(page, "story").startswith("Done: ∂")
    assert all(in_view(page, c) for c in CONTROLS)
    press(page, Keys.ARROW_LEFT)
    assert position(page) == steps
    assert current_in_pane(page) == [True, True]
    assert all(in_view(page, c) for c in CONTROLS)
    press(page, Keys.HOME, target="slider")
    assert position(page) == 0
    press(page, Keys.END)
    assert position(page) == steps + 1
    page.save_screenshot(str(tmp_path / f"stepper{nodes}.png"))


def test_zoom_and_fit_change_only_the_picture(browser, tmp_path):
    page = open_page(browser, tmp_path, mlp_loss(2, [4, 1]))
    scale = "return document.getElementById('canvas').style.transform"
    before = page.execute_script(scale)
    click(page, "zoom-in")
    assert page.execute_script(scale) != before
    click(page, "fit")
    width = page.execute_script("return document.querySelector('#canvas svg')"
                                ".getBoundingClientRect().width")
    pane = page.execute_script("return document.getElementById('pane').clientWidth")
    assert width <= pane + 1
    assert in_view(page, "next")


def test_the_page_builds_with_the_pip_graphviz_too(monkeypatch):
    import sys
    here = os.path.dirname(sys.executable)
    if not any(os.path.exists(os.path.join(here, n)) for n in ("graphviz-pure",
                                                              "graphviz-pure.exe")):
        pytest.skip("graphviz-pure is not installed next to this Python (pip install "
                    "'pathgrad[draw]')")
    monkeypatch.setenv("PATH", here)  # no system dot on the way
    page = to_html(mlp_loss(2, [4, 1]))
    svg = page[page.index("<svg"):page.index("</svg>")]
    drawn = set(re.findall(r"<title>(n\d+)</title>", svg))
    shown = {n["shown"] for n in stepper_data(mlp_loss(2, [4, 1]), drawn=drawn)["nodes"]}
    assert shown <= {int(t[1:]) for t in drawn}  # every step highlights a drawn box


def test_drag_pans_and_ctrl_wheel_zooms_the_picture_not_the_window(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    page = open_page(browser, tmp_path, mlp_loss(2, [4, 1]))
    transform = "return document.getElementById('canvas').style.transform"
    before = page.execute_script(transform)
    pane = page.find_element("id", "pane")
    ActionChains(page).drag_and_drop_by_offset(pane, 120, 40).perform()
    moved = page.execute_script(transform)
    assert moved != before and "scale(1)" in moved
    page.execute_script("""
        const p = document.getElementById('pane'), r = p.getBoundingClientRect();
        p.dispatchEvent(new WheelEvent('wheel', {deltaY: -300, ctrlKey: true, bubbles: true,
            cancelable: true, clientX: r.left + 100, clientY: r.top + 100}));""")
    zoomed = page.execute_script(transform)
    assert "scale(2.7" in zoomed  # e^1 times larger
    assert all(in_view(page, c) for c in CONTROLS)
