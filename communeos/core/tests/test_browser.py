"""A real browser (Debian's chromium, driven by Playwright) walks through the site as an
official would: signs in with the keyboard only, reads the administrative map, is refused
another commune's staff, switches to English. Every page it passes is checked with axe-core,
and one page is laid out on a phone-sized screen.

Run alone: pytest -q -p no:xdist communeos/core/tests/test_browser.py -s
Needs /usr/bin/chromium (apt-get install chromium); never `playwright install`."""

import os
import re
from pathlib import Path

import pytest

from communeos.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")

# The marks of every browser test module: a live server needs committed data.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed: apt-get install -y chromium"),
]
pytestmark = BROWSER

playwright_sync = pytest.importorskip("playwright.sync_api")
axe_sync = pytest.importorskip("axe_playwright_python.sync_playwright")
expect = playwright_sync.expect

TIMEOUT_MS = 15_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django would otherwise
    # refuse the ORM calls of the fixtures made while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_sync.sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    # A Vietnamese official's browser asks for Vietnamese (LocaleMiddleware honours
    # Accept-Language; chromium would otherwise ask for en-US).
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


class Axe:
    """Runs axe-core on each page visited and keeps the serious and critical violations,
    so one run reports every page's problems at once."""

    def __init__(self):
        self.axe = axe_sync.Axe()
        self.problems: list[str] = []

    def check(self, page, label: str) -> None:
        violations = self.axe.run(page).response["violations"]
        for v in violations:
            if v.get("impact") not in BLOCKING_IMPACTS:
                print(f"axe note [{label}]: {v['id']} ({v.get('impact')}) on {len(v.get('nodes', []))} node(s)")
                continue
            nodes = "\n".join(
                f"      {' '.join(map(str, n.get('target', [])))}: {n.get('html', '')[:200]}\n"
                f"        {'; '.join(line.strip() for line in (n.get('failureSummary') or '').splitlines())}"
                for n in v.get("nodes", [])
            )
            rule = f"{v['id']} ({v['impact']}): {v.get('help', '')} — {v.get('helpUrl', '')}"
            self.problems.append(f"[{label}] {page.url}\n  {rule}\n{nodes}")


def no_horizontal_scroll(page) -> tuple[bool, str]:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " wide: [...document.querySelectorAll('body *')]"
        "   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        "   .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
        "     + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '')"
        "     + ' right=' + Math.round(e.getBoundingClientRect().right))})"
    )
    ok = widths["scroll"] <= widths["inner"] + 1
    return (
        ok,
        f"scrollWidth {widths['scroll']} > innerWidth {widths['inner']} on {page.url}; too wide: {widths['wide']}",
    )


def test_an_official_works_through_the_site_in_a_real_browser(page, live_server, cast):
    axe = Axe()
    layout_problems: list[str] = []
    url = live_server.url

    # 1. Sign in with the keyboard only. The site speaks Vietnamese by default.
    response = page.goto(f"{url}/accounts/login/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    axe.check(page, "login page")
    expect(page.locator("#id_username")).to_be_focused()  # autofocus: no mouse needed to start
    page.keyboard.type("officer.a")
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/") == url, f"sign-in did not land on the home page: {page.url}"

    # 2. The header names the unit the official works for.
    expect(page.locator("header .unit-now")).to_contain_text("Xã Lộc Bình")
    axe.check(page, "home page")

    # 3. The administrative map, through the nav; then the province, then a search
    # typed without diacritics.
    page.locator('nav.main-nav a[href="/units/"]').click()
    page.wait_for_url(re.compile(r"/units/$"))
    page.get_by_role("link", name=re.compile(r"^(Tỉnh )?Lạng Sơn$")).first.click()
    page.wait_for_url(re.compile(r"/units/\d+/"))
    expect(page.locator("h1")).to_contain_text("Lạng Sơn")
    axe.check(page, "province page")
    page.locator("#id_q").fill("loc binh")
    with page.expect_navigation():
        page.locator("#id_q").press("Enter")
    assert "q=loc+binh" in page.url
    results = page.locator("#children ~ ul.columns a")
    expect(results.filter(has_text=re.compile(r"^Xã Lộc Bình$"))).to_have_count(1)

    # 4. The commune's page lists its predecessors as links; one is followed.
    results.filter(has_text=re.compile(r"^Xã Lộc Bình$")).click()
    page.wait_for_url(re.compile(r"/units/\d+/$"))
    expect(page.locator("h1")).to_have_text("Xã Lộc Bình")
    predecessors = page.locator('section[aria-labelledby="pred"] li a')
    expect(predecessors.filter(has_text="Thị trấn Lộc Bình")).to_have_count(1)
    assert predecessors.count() >= 2, "a merged commune should show several predecessors"
    axe.check(page, "commune page")

    # 8. The commune page on a phone: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    ok, why = no_horizontal_scroll(page)
    if not ok:
        layout_problems.append(why)
    page.set_viewport_size(DESKTOP)

    predecessors.filter(has_text="Thị trấn Lộc Bình").click()
    page.wait_for_url(re.compile(r"/units/\d+/$"))
    expect(page.locator("h1")).to_have_text("Thị trấn Lộc Bình")
    expect(page.locator('section[aria-labelledby="succ"] li a').filter(has_text="Xã Lộc Bình")).to_have_count(1)

    # 5. Another commune's staff member is not there for this official.
    response = page.goto(f"{url}/people/{cast.officer_b.pk}/")
    assert response.status == 404

    # 6. Switch to English with the header's language form.
    page.goto(f"{url}/")
    page.locator("select#lang-switch").select_option("en")
    with page.expect_navigation():
        page.locator("form.lang button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.main-nav")).to_contain_text("Administrative map")
    expect(page.locator("header .unit-now")).to_contain_text("Xã Lộc Bình")

    # 7. and 8. reported together so one run shows every problem.
    report = axe.problems + layout_problems
    assert not report, "Accessibility/layout problems:\n" + "\n".join(report)
