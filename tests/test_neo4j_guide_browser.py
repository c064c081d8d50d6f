"""The Neo4j Browser guide, played as users play it (issue 12: `python -m http.server` answered the Browser's
CORS preflight with 501 and the guide showed "Not found"; the Browser showed a telemetry banner and called
outside services). Real Neo4j Browser (served by the test server), real headless Chromium, `kg serve` handing
out the guide, on the session's private Neo4j server (conftest ``private_neo4j``), started with kgraph's configuration."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from browser_support import Served, shot
from conftest import KG, PrivateNeo4j

pytestmark = pytest.mark.neo4j  # the session's private server: the shared one is not used
CITING_163 = {"210/QĐ-UBND", "45/KH-UBND", "318/UBND-TCKH", "77/BC-UBND"}
LOCAL = ("localhost", "127.0.0.1", "[::1]", "::1")


@pytest.fixture(scope="module")
def loaded(data_build: Path, private_neo4j: PrivateNeo4j) -> Iterator[tuple[Served, str, str]]:
    """The session's private Neo4j server, assembled with kgraph's configuration (never the shared one: its data
    and settings stay as they are; emptied for this module), data/ built and loaded into it, and served by
    `kg serve`; yields (server, Browser URL, what the load said on stderr)."""
    r = subprocess.run([*KG, "load", "out"], cwd=data_build.parent, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    served = Served(data_build)
    try:
        yield served, f"http://localhost:{private_neo4j.http}/browser/", r.stderr
    finally:
        served.stop()


#: How long after connecting the Browser's outside calls are looked for: the analytics and changelog scripts load
#: after the connection, traces a little later.
SETTLE = 6.0


@dataclass
class FirstVisit:
    """A new user's first visit (a fresh browser profile, its network log kept) to the Browser, connected: the guide
    is played in it and everything it asked for is checked, so the Browser is loaded and connected once a module
    (its start was most of each test's time). Quit after the module: an open Neo4j Browser keeps drawing and asking
    the server (about a tenth of a core, measured)."""

    driver: Any
    connected_at: float
    sent: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)

    def requests(self) -> tuple[list[str], list[str]]:
        """Every URL asked for since the visit began, (sent, blocked): the log is read until it has nothing new."""
        from browser_support import network_requests

        while True:
            sent, blocked = network_requests(self.driver)
            if not sent and not blocked:
                return sorted(self.sent - self.blocked), sorted(self.blocked)
            self.sent.update(sent)
            self.blocked.update(blocked)


@pytest.fixture(scope="module")
def first_visit(loaded: tuple[Served, str, str]) -> Iterator[FirstVisit]:
    from browser_support import new_browser

    fresh = new_browser(network_log=True)
    try:
        _connect(fresh, loaded[1])
        yield FirstVisit(fresh, time.monotonic())
    finally:
        fresh.quit()


def _connect(driver, url: str) -> None:
    from selenium.webdriver.common.by import By

    from kgraph.neo4j.connection import connection_settings

    s = connection_settings()
    driver.get(url)
    deadline = time.monotonic() + 60

    def connected() -> bool:
        eds = driver.find_elements(By.CSS_SELECTOR, '[data-testid="activeEditor"]')
        return bool(eds) and "neo4j$" in eds[0].text

    while not driver.find_elements(By.CSS_SELECTOR, '[data-testid="password"]'):
        if connected():  # the Browser kept this session's credentials
            return
        assert time.monotonic() < deadline, "the Browser's connect form did not appear"
        time.sleep(0.3)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="username"]').send_keys(s.user)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="password"]').send_keys(s.password)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="connect"]').click()
    while "neo4j$" not in driver.find_element(By.CSS_SELECTOR, '[data-testid="activeEditor"]').text:
        assert time.monotonic() < deadline, "the Browser did not connect"
        time.sleep(0.3)


def _run_in_editor(driver, text: str | None = None) -> None:
    """Type `text` into the Browser's editor (or keep what a guide block put there) and run it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    if text is not None:
        driver.find_element(By.CSS_SELECTOR, '[data-testid="activeEditor"]').click()
        ActionChains(driver).send_keys(text).perform()
    driver.find_element(By.CSS_SELECTOR, '[data-testid="editor-Run"]').click()


def _newest_frame(driver, command_start: str, timeout: float = 60):
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while True:
        for f in driver.find_elements(By.CSS_SELECTOR, '[data-testid="frame"]'):
            cmd = f.find_element(By.CSS_SELECTOR, '[data-testid="frameCommand"]').text
            if cmd.startswith(command_start):
                return f
        assert time.monotonic() < deadline, f"no frame for {command_start!r}"
        time.sleep(0.3)


def _click(browser, element, tries: int = 5) -> None:
    """Click as a user would once the page is still: each result frame the stream adds moves the guide down
    while it animates, and a click at the old place lands on the stream."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for attempt in range(tries):
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        try:
            element.click()
            return
        except ElementClickInterceptedException:
            if attempt == tries - 1:
                raise
            time.sleep(0.5)


def test_guide_plays_and_its_cited_by_slide_runs(loaded, first_visit: FirstVisit) -> None:
    from selenium.webdriver.common.by import By

    browser = first_visit.driver
    served = loaded[0]
    guide = f"http://localhost:{served.port}/neo4j/kgraph-guide.html?x=Nghị định 163/2016"
    _run_in_editor(browser, f":play {guide}")
    frame = _newest_frame(browser, ":play http://localhost")
    deadline = time.monotonic() + 30
    while not frame.find_elements(By.CSS_SELECTOR, "p.kg-x"):
        assert "Not found" not in frame.text and time.monotonic() < deadline, frame.text[:300]
        time.sleep(0.3)
    assert "X = Nghị định 163/2016 (1 instrument)" in frame.find_element(By.CSS_SELECTOR, "p.kg-x").text
    frame.find_element(By.CSS_SELECTOR, '[data-testid="nextSlide"]').click()
    slide = next(s for s in frame.find_elements(By.CSS_SELECTOR, ".slide") if s.is_displayed())
    assert slide.find_element(By.TAG_NAME, "h3").text == "cited-by"
    blocks = slide.find_elements(By.CSS_SELECTOR, "pre.runnable")
    assert blocks[0].text.startswith(":param targets => ['https://kgraph.example/id/doc/163_2016_NĐ-CP']")
    for block in blocks:  # as a user does: click a block (it fills the editor), run it
        command = block.text.strip()[:15]
        _click(browser, block)
        time.sleep(0.3)
        _run_in_editor(browser)
        # the next block only once this one's frame is in the stream, as a user waits for it: a CI run timed out
        # waiting for this slide's rows, and a query sent before its `:param` had run would find no $targets
        _newest_frame(browser, command)
        time.sleep(0.5)
    result = _newest_frame(browser, "UNWIND $targets AS x")
    deadline = time.monotonic() + 60
    while not all(n in result.text for n in CITING_163):
        assert time.monotonic() < deadline, result.text[:500]
        time.sleep(0.5)
    assert "Không" not in result.text and "error" not in result.text.lower()
    shot(browser, "neo4j-guide-cited-by", height=1400)


def _server_setting(name: str) -> str | None:
    import neo4j

    from kgraph.neo4j.connection import connection_settings

    s = connection_settings()

    with neo4j.GraphDatabase.driver(s.uri, auth=(s.user, s.password)) as drv:
        recs, _, _ = drv.execute_query("SHOW SETTINGS YIELD name, value WHERE name = $n RETURN value", n=name)
    return recs[0]["value"] if recs else None


def test_browser_calls_no_outside_service(first_visit: FirstVisit) -> None:
    """A new user's first visit (a fresh browser profile) to the Browser of the server kgraph assembles: no
    consent banner, and no request leaves this machine, from the connection on (and through the guide played
    in it when the module's tests run together). Issue 12: the Browser bundled with Neo4j 5.26 asked
    for canny.io's and segment.com's scripts, Google's web fonts and sent Sentry traces whatever
    `client.allow_telemetry` said (docs/neo4j.md: which setting stops what). Every URL asked for is written
    to test-artifacts/neo4j-browser-outside-calls.json, sent or refused by the Content-Security-Policy."""
    import json

    from browser_support import SCREENSHOTS

    assert _server_setting("client.allow_telemetry") == "false"
    assert _server_setting("browser.remote_content_hostname_whitelist") == "localhost,127.0.0.1"
    fresh = first_visit.driver
    time.sleep(max(0.0, first_visit.connected_at + SETTLE - time.monotonic()))
    assert "collect information on product usage" not in fresh.page_source
    sent, blocked = first_visit.requests()
    shot(fresh, "neo4j-browser-no-telemetry", height=900)
    outside = [u for u in sent if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).hostname not in LOCAL]
    (SCREENSHOTS.parent / "neo4j-browser-outside-calls.json").write_text(
        json.dumps({"sent": outside, "refused_by_csp": blocked}, indent=1), "utf-8")
    assert any(urlsplit(u).hostname in LOCAL and urlsplit(u).scheme == "ws" for u in sent), sent  # Bolt connected
    assert not outside, outside


def test_first_load_into_an_empty_database_reports_nothing_unfinished(loaded) -> None:
    """Issue 12: the first `kg load` into an empty database said a previous load "did not finish"."""
    assert "did not finish" not in loaded[2], loaded[2]
