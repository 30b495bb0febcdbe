"""A register as PDF in a real browser (Debian's chromium, driven by Playwright): a clerk asks
for the year's incoming register, the export page says it waits for the background worker,
with the number of files ahead of it, then that it is being made once a worker takes it, and
shows the download link once the worker has made it, each by itself (static/js/export-status.js);
a change of state is announced in its live region, a new count of files ahead is not. The file
downloaded is the register. axe-core checks each state.

Run alone: pytest -q -p no:xdist communeos/documents/tests/test_browser.py -s"""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from communeos.conftest import make_person, run_tasks
from communeos.core.models import Export
from communeos.core.tests.test_browser import BROWSER, TIMEOUT_MS, Axe, browser  # noqa: F401
from communeos.documents import services
from communeos.documents.tests.conftest import incoming
from communeos.onestop.tests.test_browser import pdf_text, signed_in

pytestmark = BROWSER

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect


def test_a_register_pdf_appears_on_its_page_when_the_worker_has_made_it(browser, live_server, cast):  # noqa: F811
    axe = Axe()
    clerk = make_person("clerk.a", cast.commune_a, "clerk")
    incoming(clerk, cast.commune_a)
    # Two files asked for earlier wait ahead of this one in the queue.
    for year in (2023, 2024):
        services.register_pdf_request(actor=clerk, unit=cast.commune_a, direction="incoming", year=year)
    url = live_server.url
    page = signed_in(browser, url, "clerk.a")
    page.goto(f"{url}/documents/registers/{cast.commune_a.code}/incoming/2025/")
    with page.expect_navigation():
        page.get_by_role("button", name="Chuẩn bị tệp PDF").click()
    export = Export.objects.get(params__year=2025)
    assert page.url == f"{url}/exports/{export.pk}/"
    box = page.locator("[data-export-status]")
    announced = page.get_by_role("status")  # what a screen reader is told, by itself
    expect(box).to_contain_text("Đang chờ bộ xử lý nền: còn 2 tệp trước tệp của bạn.")
    axe.check(page, "export waiting")

    # One of those is done: the count goes down on the page, without being announced.
    first = Export.objects.get(params__year=2023)
    DBTaskResult.objects.filter(pk=first.task_id).update(status="SUCCESSFUL", finished_at=timezone.now())
    expect(box).to_contain_text("Đang chờ bộ xử lý nền: còn 1 tệp trước tệp của bạn.", timeout=TIMEOUT_MS)
    expect(announced).to_have_text("")
    DBTaskResult.objects.filter(pk=Export.objects.get(params__year=2024).task_id).update(
        status="SUCCESSFUL", finished_at=timezone.now()
    )
    expect(box).to_contain_text("tệp của bạn được tạo tiếp theo.", timeout=TIMEOUT_MS)
    expect(announced).to_have_text("")

    # A worker takes it (as `manage.py db_worker` claims a task), then puts it back: the page
    # said so by itself meanwhile, and announced it.
    task = DBTaskResult.objects.get(pk=export.task_id)
    task.claim("browser-test")
    expect(announced).to_contain_text("Đang tạo từ", timeout=TIMEOUT_MS)
    expect(box).to_contain_text("Đang tạo từ")
    axe.check(page, "export being made")
    DBTaskResult.objects.filter(pk=task.pk).update(status="READY", started_at=None, worker_ids=[])

    run_tasks()  # the worker, as `manage.py db_worker` runs it
    link = box.get_by_role("link", name=re.compile("Tải về so-van-ban-den-2025-06529.pdf"))
    expect(link).to_be_visible(timeout=TIMEOUT_MS)  # no reload: the page checked by itself
    expect(announced).to_have_text("Đã xong: 1 dòng.")
    axe.check(page, "export ready")
    with page.expect_download() as download:
        link.click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and "1672/NQ-UBTVQH15" in text
