"""The browser stepper, driven in a real headless Chromium with selenium.

With CI=true a missing browser, driver or selenium FAILS the test (CI installs Debian's
chromium and chromium-driver); elsewhere the tests skip and say what to install.
"""

import os
import shutil
import time

import pytest

from autograd import GraphTooLargeError, Value
from autograd.stepper import stepper_data, to_html, write_html

from proof_helpers import worked_example


def _missing(what: str):
    message = (f"browser stepper test needs {what} (apt-get install chromium chromium-driver; "
               "pip install selenium)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
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
                "--window-size=1300,800"):
        options.add_argument(arg)
    options.binary_location = chromium
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
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
    """The grad column of the running-totals table, by node name."""
    out = {}
    for row in browser.find_elements("css selector", "#totals tr"):
        cells = row.find_elements("tag name", "td")
        out[cells[0].text] = cells[3].text
    return out


def click(browser, button, times=1):
    for _ in range(times):
        browser.find_element("id", button).click()


def test_next_and_prev_show_each_gradient_arrive(browser, tmp_path):
    *_, e = worked_example()
    page = open_page(browser, tmp_path, e)
    assert text(page, "frame") == "step 0 / 5"
    assert grads(page) == {"a": "0", "b": "0", "c": "0", "1": "", "d": "0", "e": "0"}
    click(page, "next")
    assert grads(page) == {"a": "0", "b": "0", "c": "2", "1": "", "d": "3", "e": "1"}
    assert text(page, "story") == "e = c * d: starts with 1; sends 1·2 = 2 to c, 1·3 = 3 to d"
    assert page.find_element("id", "row-5").get_attribute("class") == "current"
    assert page.find_element("id", "row-2").get_attribute("class") == "receives"
    hot = [t.text for t in page.find_elements("css selector", "text.elabel.hot")]
    assert sorted(hot) == ["1·2 = 2", "1·3 = 3"]
    click(page, "next")  # d = b + 1 sends 3 to b
    assert grads(page)["b"] == "3"
    assert page.find_element("id", "svg-grad-1").text == "3"  # the picture agrees
    click(page, "next")  # c = a + b: b piles up 3 + 2
    assert grads(page) == {"a": "2", "b": "5", "c": "2", "1": "", "d": "3", "e": "1"}
    assert "(b now holds 5)" in text(page, "story")
    click(page, "prev")
    assert grads(page)["b"] == "3" and grads(page)["a"] == "0"
    click(page, "next", 3)
    assert text(page, "frame") == "step 5 / 5"
    click(page, "next")  # past the end stays at the end
    assert text(page, "frame") == "step 5 / 5"
    browser.save_screenshot(str(tmp_path / "stepper.png"))


def test_play_runs_to_the_end(browser, tmp_path):
    *_, e = worked_example()
    page = open_page(browser, tmp_path, e, fragment="#speed=100")
    click(page, "play")
    deadline = time.time() + 15
    while text(page, "frame") != "step 5 / 5" and time.time() < deadline:
        time.sleep(0.2)
    assert text(page, "frame") == "step 5 / 5"
    assert grads(page)["b"] == "5"


def test_labels_are_shown_as_text_never_as_markup(browser, tmp_path):
    evil = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">&amp;'
    x = Value(2.0, label=evil)
    y = x * x
    y.label = '"quoted" <b>bold</b>'
    page = open_page(browser, tmp_path, y, "evil.html")
    assert page.execute_script("return window.pwned === undefined")
    assert page.execute_script("return document.querySelectorAll('img, b').length") == 0
    names = [r.find_elements("tag name", "td")[0].text
             for r in page.find_elements("css selector", "#totals tr")]
    assert names == [evil, '"quoted" <b>bold</b>']
    click(page, "next")
    assert grads(page)[evil] == "4"


def test_the_page_loads_nothing_from_anywhere(browser, tmp_path):
    *_, e = worked_example()
    page = open_page(browser, tmp_path, e)
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    html = to_html(e)
    for needle in ("src=", "href=", "@import", "url(", "//cdn", "https:"):
        assert needle not in html


def test_making_the_page_leaves_the_gradients_alone():
    a, b, c, d, e = worked_example()
    e.backward()
    before = [n.grad for n in (a, b, c, d, e)]
    data = stepper_data(e)
    assert [n.grad for n in (a, b, c, d, e)] == before
    assert [f["grad"] for f in data["frames"]] == ["1", "3", "2", "5", "2"]  # from zero


def test_a_huge_graph_is_refused_with_the_way_out():
    x = Value(1.0)
    y = x
    for _ in range(300):
        y = y * 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=None"):
        to_html(y)
    assert to_html(y, max_nodes=None).startswith("<!DOCTYPE html>")
