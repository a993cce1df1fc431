"""Screenshots of the browser stepper at 1280 × 800 (needs Chromium, chromedriver, selenium):
the worked example, MLP(2, [4, 1]) with a squared-error loss (57 nodes) half way through,
and MLP(3, [5, 4, 1], tanh) (145 nodes) at the summary.

    PYTHONPATH=. python docs/make_stepper_screenshots.py   # writes docs/stepper_*.png
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), os.path.join(os.path.dirname(HERE), "tests")]

from autograd.stepper import write_html  # noqa: E402
from proof_helpers import worked_example  # noqa: E402
from test_html_stepper import mlp_loss, start_chromium  # noqa: E402


def shrink(png: str) -> None:
    """A small PNG: 256 colours (needs ImageMagick's convert; left as is without it)."""
    try:
        subprocess.run(["convert", png, "-colors", "256", "PNG8:" + png], check=True)
    except (OSError, subprocess.CalledProcessError):
        pass


def main() -> None:
    driver = start_chromium()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, root, where in (("worked_example", worked_example()[-1], 3),
                                      ("mlp57", mlp_loss(2, [4, 1]), "middle"),
                                      ("mlp145", mlp_loss(3, [5, 4, 1], "tanh"), "end")):
                path = write_html(root, os.path.join(tmp, name + ".html"))
                driver.get("file://" + path)
                last = int(driver.find_element("id", "slider").get_attribute("max"))
                k = {"middle": last // 2, "end": last}.get(where, where)
                driver.execute_script("const s = document.getElementById('slider');"
                                      "s.value = arguments[0];"
                                      "s.dispatchEvent(new Event('input'));", k)
                png = os.path.join(HERE, f"stepper_{name}.png")
                driver.save_screenshot(png)
                shrink(png)
                print(png)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
