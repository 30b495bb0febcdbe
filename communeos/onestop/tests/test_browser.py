"""The one-stop shop in a real browser (Debian's chromium, driven by Playwright): an officer
receives a birth registration at the counter and downloads the receipt (its PDF text is
checked), a specialist examines it, the chair approves, the officer returns it; then a
citizen, with no account, looks it up by its code. axe-core checks every page on the way.

Run alone: pytest -q -p no:xdist communeos/onestop/tests/test_browser.py -s"""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from communeos.conftest import PASSWORD, make_person
from communeos.core.tests.test_browser import BROWSER, DESKTOP, TIMEOUT_MS, Axe, browser  # noqa: F401
from communeos.onestop.models import Dossier, Status

pytestmark = BROWSER

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect


def signed_in(browser, url: str, username: str):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    return page


def click_and_wait(page, button) -> None:
    with page.expect_navigation():
        button.click()
    expect(page.locator(".messages p.error")).to_have_count(0)


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_a_birth_registration_from_the_counter_to_the_citizen(browser, live_server, cast):  # noqa: F811
    axe = Axe()
    url = live_server.url
    specialist = make_person("specialist.a", cast.commune_a, "specialist")

    # The officer receives the dossier at the counter.
    officer = signed_in(browser, url, "officer.a")
    officer.goto(f"{url}/onestop/receive/")
    axe.check(officer, "choose a procedure")
    officer.get_by_role("link", name=re.compile("Đăng ký khai sinh")).first.click()
    officer.wait_for_url(re.compile(r"/onestop/receive/birth-registration/$"))
    officer.get_by_label("Họ và tên").fill("Hoàng Thị Lụa")
    officer.get_by_label(re.compile("Số định danh")).fill("020195012345")
    officer.get_by_label("Số điện thoại").fill("0987654321")
    officer.get_by_label("Địa chỉ").fill("Thôn Nà Mò, xã Lộc Bình, tỉnh Lạng Sơn")
    for box in officer.locator('input[name="papers"]').all():
        box.check()
    axe.check(officer, "counter intake form")
    with officer.expect_navigation():
        officer.get_by_role("button", name=re.compile("Tiếp nhận")).click()
    dossier = Dossier.objects.get()
    expect(officer.locator("h1")).to_contain_text(dossier.code)
    axe.check(officer, "dossier page")

    # The receipt, as the browser downloads it: its text comes back with its diacritics.
    receipt_href = officer.locator('a[href$="/forms/receipt.pdf"]').get_attribute("href")
    receipt = officer.context.request.get(f"{url}{receipt_href}")
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    text = pdf_text(receipt.body())
    for expected in ["Hoàng Thị Lụa", dossier.code, "Đăng ký khai sinh", "xã Lộc Bình", "Độc lập - Tự do - Hạnh phúc"]:
        assert expected in text, f"{expected!r} is not in the receipt's text: {text[:400]}"

    # Assign to the specialist.
    officer.locator("#handler").select_option(str(specialist.pk))
    click_and_wait(officer, officer.get_by_role("button", name="Phân công"))

    # The specialist finds it in their queue, examines it and proposes the result.
    worker = signed_in(browser, url, "specialist.a")
    worker.goto(f"{url}/onestop/")
    axe.check(worker, "specialist's queue")
    worker.get_by_role("link", name=dossier.code).click()
    click_and_wait(worker, worker.get_by_role("button", name=re.compile("Bắt đầu xử lý")))
    click_and_wait(worker, worker.get_by_role("button", name=re.compile("Trình phê duyệt")))

    # The chair approves.
    chair = signed_in(browser, url, "chair.a")
    chair.goto(f"{url}/onestop/")
    chair.get_by_role("link", name=dossier.code).click()
    click_and_wait(chair, chair.get_by_role("button", name="Phê duyệt", exact=True))

    # The officer marks the result ready and returns it.
    officer.goto(f"{url}/onestop/dossiers/{dossier.code}/")
    click_and_wait(officer, officer.get_by_role("button", name=re.compile("có kết quả", re.IGNORECASE)))
    officer.get_by_label("Hài lòng", exact=True).check()
    click_and_wait(officer, officer.get_by_role("button", name=re.compile("Trả kết quả")))
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.timeliness

    # A citizen, with no account, looks it up by the code on the receipt.
    citizen = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    citizen.goto(f"{url}/lookup/")
    axe.check(citizen, "public look-up")
    citizen.get_by_label("Mã hồ sơ").fill(dossier.code)
    with citizen.expect_navigation():
        citizen.get_by_label("Mã hồ sơ").press("Enter")
    expect(citizen.locator("main")).to_contain_text("Đã trả kết quả")
    expect(citizen.locator("main")).not_to_contain_text("Hoàng Thị Lụa")
    expect(citizen.locator("main")).not_to_contain_text("020195012345")
    axe.check(citizen, "look-up result")

    assert not axe.problems, "Accessibility problems:\n" + "\n".join(axe.problems)
