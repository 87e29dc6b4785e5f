"""The query page in a real browser: headless Chromium (Debian's chromium and chromium-driver)
driven by Selenium picks a saved question, runs it and sees the rows ``kg query`` gives.

Set KG_SCREENSHOT=FILE to keep a screenshot of the answered page (docs/serve.png is made so).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from test_serve import kg_query_rows, serving

from kg import query

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
]


def system_browser() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        raise pytest.UsageError(
            "the browser test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver (.ci/run does this)"
        )
    return browser, driver


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with serving() as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    binary, driver_path = system_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="kg-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        # Selenium Manager would look for a driver on the network: the system's is given instead.
        chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            yield chrome
        finally:
            chrome.quit()


def follow(browser: webdriver.Chrome, control: WebElement) -> None:
    """Click a link or button and wait for the page it loads: the page has no script, so each
    click is a navigation, and reading before it ends finds the old page's elements gone."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    control.click()
    WebDriverWait(browser, 60).until(expected_conditions.staleness_of(old_page))
    WebDriverWait(browser, 60).until(lambda b: b.execute_script("return document.readyState") == "complete")


def table_rows(browser: webdriver.Chrome) -> list[tuple[str, ...]]:
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    return [tuple(cell.text for cell in row.find_elements(By.TAG_NAME, "td")) for row in rows]


def test_pick_a_saved_question_run_it_and_see_its_rows(browser: webdriver.Chrome, served: str) -> None:
    browser.get(served)
    assert browser.title == "query · kg serve"
    names = [link.text for link in browser.find_elements(By.CSS_SELECTOR, "nav.saved a")]
    assert names == [q.name for q in query.saved_queries()]
    follow(browser, browser.find_element(By.ID, "saved-taskforce-backers"))
    expected = kg_query_rows(query.query_text("taskforce-backers"))
    assert browser.find_element(By.ID, "count").text == f"{len(expected)} rows"
    assert [h.text for h in browser.find_elements(By.CSS_SELECTOR, "table.results th")] == ["role", "organisation", "sources"]
    assert table_rows(browser) == expected
    # the question's text is in the box: edit it and run it with the button
    box = browser.find_element(By.ID, "query")
    assert "SELECT ?role ?organisation ?sources" in str(box.get_property("value"))
    box.clear()
    box.send_keys(query.query_text("people-posts"))
    follow(browser, browser.find_element(By.ID, "run"))
    assert table_rows(browser) == kg_query_rows(query.query_text("people-posts"))
    screenshot = os.environ.get("KG_SCREENSHOT")
    if screenshot:
        follow(browser, browser.find_element(By.ID, "saved-people-posts"))
        assert browser.save_screenshot(screenshot)


def test_follow_an_entity_link_to_its_sources_and_evidence(browser: webdriver.Chrome, served: str) -> None:
    browser.get(served + "?name=agreed-facts")
    follow(browser, browser.find_element(By.LINK_TEXT, "kgd:taskforce-led-by-npcc"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Grooming Gangs Taskforce led by National Police Chiefs’ Council"
    sources = browser.find_elements(By.CSS_SELECTOR, "table.results")[0]
    shown = [tuple(td.text for td in tr.find_elements(By.TAG_NAME, "td")) for tr in sources.find_elements(By.CSS_SELECTOR, "tbody tr")]
    provenance = kg_query_rows(
        query.query_text("fact-provenance"), {"fact": ox.NamedNode("https://example.org/kg/id/taskforce-led-by-npcc")}
    )
    assert [(row[1], row[2], row[3]) for row in shown] == [(row[1], row[2], row[4]) for row in provenance]


def test_the_page_runs_with_no_network_and_no_script(browser: webdriver.Chrome, served: str) -> None:
    browser.get(served)
    assert browser.execute_script("return document.scripts.length") == 0
    hosts = browser.execute_script("return performance.getEntriesByType('resource').map(e => new URL(e.name).host)")
    assert set(hosts) <= {served.split("/")[2]}
