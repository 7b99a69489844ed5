"""Shared fixtures: one headless Chromium for the stepper page's browser tests.

The browser tests need Debian's `chromium` and `chromedriver` (`make test` installs them when
run as root: `apt-get install chromium chromium-driver`). Without them they are skipped, and the
skip message says how to install them. One driver serves the whole session; every page is a
file:// URL of a page that `viz.stepper(root, ...).save(path)` wrote into the test's tmp_path.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = ("install Debian's Chromium and its driver (as root: apt-get install chromium "
           "chromium-driver; `make test` does it when run as root)")
OPTIONS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (selenium) with the browser console and network events logged."""
    for program in (CHROMIUM, CHROMEDRIVER):
        if not program.exists():
            pytest.skip(f"the browser tests need {program}, which is missing: {INSTALL}")
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
    profile = tempfile.mkdtemp(prefix="zerograd-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for option in OPTIONS + (f"--user-data-dir={profile}",):
        options.add_argument(option)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception as error:                      # a broken install: say which, and how
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"Chromium could not be started ({type(error).__name__}: "
                    f"{str(error).splitlines()[0] if str(error) else ''}); {INSTALL}")
    driver.set_window_size(1400, 900)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def open_page(browser, tmp_path):
    """open_page(root, fragment="", **stepper_options): the stepper page of root, loaded.

    Returns the driver, its browser and performance logs emptied of earlier pages' messages.
    Every console error of the test's pages fails the test at teardown (they are also checked
    explicitly in test_stepper_browser.py).
    """
    import viz

    count, errors = iter(range(1000)), []

    def open_(root, fragment: str = "", **options):
        path = tmp_path / f"stepper{next(count)}.html"
        viz.stepper(root, **options).save(path)
        return open_file(path, fragment)

    def open_file(path: Path, fragment: str = ""):
        errors.extend(console_errors(browser))
        browser.get_log("performance")
        browser.get(Path(path).resolve().as_uri() + fragment)
        wait_for_page(browser)
        return browser

    open_.file = open_file
    yield open_
    errors.extend(console_errors(browser))
    assert errors == [], f"errors in the browser console: {errors}"


def wait_for_page(driver, timeout: float = 10.0) -> None:
    """Wait until the page's script has built `window.zerograd` and drawn the graph."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !!window.zerograd"
        " && !!document.getElementById('zg-node-0')"))


def console_errors(driver) -> list[str]:
    """The console's errors (and failed loads) since the log was last read; reading empties it."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


@pytest.fixture(scope="session")
def zerograd_wheel(tmp_path_factory) -> Path:
    """zerograd's wheel, built offline from this checkout (what `make dist` makes)."""
    import subprocess
    import sys
    pytest.importorskip("build", reason="the test extra installs build (pip install build)")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                    "--skip-dependency-check", "--outdir", str(out),
                    str(Path(__file__).resolve().parents[1])], check=True, capture_output=True)
    [wheel] = out.glob("zerograd-*.whl")
    return wheel
