"""Real headless Chromium for the page tests: Debian's `chromium` driven by Selenium through `chromedriver`.

Why Selenium with Debian's chromium-driver rather than Playwright: the driver and the browser come from the
same Debian source package, so their versions always match, and nothing is downloaded at run time (the
machine is offline; Playwright pins the Chromium build it was made for and only hopes another works).
WebDriver is a W3C standard and Selenium is its reference client.

Screenshots go to `test-artifacts/screenshots/` (git-ignored; CI keeps the folder as its artefacts).
Without the browser the tests skip, except in CI where they fail: `scripts/setup.sh` installs it as root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kgraph.lifetime import KILL_GROUP, Reaper

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = Path(os.environ.get("KGRAPH_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots")
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
CHROMIUM = os.environ.get("KGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("KGRAPH_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests cannot run in CI: {reason} (scripts/setup.sh installs chromium chromium-driver)",
                    pytrace=False)
    pytest.skip(reason)


def new_browser(network_log: bool = False) -> "object":
    """A headless Chromium with a fresh profile (skips, or fails in CI, when the browser is missing); with
    ``network_log``, DevTools' network events are kept for ``get_log("performance")`` (``network_requests``)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[test]')")
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not os.access(exe, os.X_OK):
            _missing(f"{exe} not found (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
              "--no-first-run", "--disable-background-networking", "--disable-component-update", "--lang=vi"):
        opts.add_argument(a)
    prefs = {"browser": "ALL"}  # console errors (a CSP violation, a JS error)
    if network_log:
        prefs["performance"] = "ALL"
    opts.set_capability("goog:loggingPrefs", prefs)
    # chromedriver in a session of its own, Chromium in its process group: a reaper kills the group if this process
    # dies without quitting (a worker killed at a timeout left both running, Chromium's renderers and all)
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER, popen_kw={"start_new_session": True}),
                           options=opts)
    reaper = Reaper(KILL_GROUP, str(drv.service.process.pid))
    quit_ = drv.quit

    def quit() -> None:
        try:
            quit_()
        finally:
            reaper.dismiss()

    drv.quit = quit
    drv.set_page_load_timeout(60)
    return drv


def network_requests(driver: "object") -> tuple[list[str], list[str]]:
    """The URLs a ``new_browser(network_log=True)`` page asked for since the last call: (sent, blocked), where
    blocked are those Chromium refused before any byte left (by the page's Content-Security-Policy, say)."""
    import json

    sent: dict[str, str] = {}
    blocked: set[str] = set()
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        params = msg.get("params", {})
        if msg.get("method") == "Network.requestWillBeSent":
            sent[params["requestId"]] = params["request"]["url"]
        elif msg.get("method") == "Network.webSocketCreated":
            sent[params["requestId"]] = params["url"]
        elif msg.get("method") == "Network.loadingFailed" and params.get("blockedReason"):
            blocked.add(params["requestId"])
    return (sorted({u for r, u in sent.items() if r not in blocked}),
            sorted({u for r, u in sent.items() if r in blocked}))


def shot(driver: "object", name: str, height: int | None = None) -> Path:
    """Save a screenshot as test-artifacts/screenshots/NAME.png (the whole page when `height` is None)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if height is None:
        height = int(driver.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)"))
    driver.set_window_size(1280, max(600, height))
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 5000, f"{path}: an empty screenshot"
    return path


def console_errors(driver: "object") -> list[str]:
    """Severe console messages since the last call (JS errors, refused scripts or styles, failed requests)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`kg serve` running on a build folder, on a free loopback port, ended by the test."""

    def __init__(self, build: Path, extra: tuple[str, ...] = ()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        kg = [sys.executable, "-c", "import sys; from kgraph.cli import main; sys.exit(main())"]
        self.proc = subprocess.Popen([*kg, "serve", "--store", str(build), "--bind", f"127.0.0.1:{self.port}", *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else "timed out"
                self.stop()
                raise RuntimeError(f"kg serve did not start: {err}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
