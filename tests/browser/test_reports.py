"""A citizen reports from a phone-sized page with a photo and follows the report by its code;
an operator's desk sees it arrive live."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import WAIT_MS, Login, log_in, open_page
from tests.reports.conftest import WARD_POINT, jpeg, reports_seeded  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reports_seeded")]

# A loaded machine: the intake decodes and scans the photo before answering.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_citizen_reports_and_operator_sees_it_live(
    browser: Browser,
    server_url: str,
    operator_login: Login,
    tmp_path: Path,
) -> None:
    desk, close_desk = open_page(browser, server_url)
    citizen, close_citizen = open_page(browser, server_url, **PHONE)
    try:
        log_in(desk, operator_login, "/reports/desk")
        expect(desk.page.locator("body[data-live='1']")).to_have_count(1, timeout=WAIT_MS)

        page = citizen.page
        page.goto(f"{server_url}/phan-anh", wait_until="load")
        expect(page.locator("form[data-ready='1']")).to_have_count(1, timeout=WAIT_MS)
        page.select_option("#category", "tree")
        # The pin as a tap would place it (the map's own click handler calls the same function).
        page.evaluate(f"window.reportPin({WARD_POINT[0] - 0.003}, {WARD_POINT[1] + 0.002})")
        expect(page.locator("form[data-nearby-checked]")).to_have_count(1, timeout=WAIT_MS)
        page.fill("#description", "Cây thông nghiêng sắp đổ ra đường")
        photo = tmp_path / "tree.jpg"
        photo.write_bytes(jpeg())
        page.set_input_files("#photos", str(photo))
        page.fill("#phone", "0912345678")
        page.click("#send")
        expect(page.locator("#done")).to_be_visible(timeout=WAIT_MS)
        code = page.locator("#code").inner_text().strip()
        assert code.startswith("PA-")

        # The operator's desk shows it without a reload.
        expect(desk.page.locator(f"#incoming li[data-code='{code}']")).to_have_count(
            1, timeout=WAIT_MS
        )

        page.click("#track-link")
        expect(page.locator("body[data-loaded]")).to_have_count(1, timeout=WAIT_MS)
        expect(page.locator("#status")).to_contain_text("Đã chuyển đơn vị", timeout=WAIT_MS)
        expect(page.locator("#photos img")).to_have_count(1, timeout=WAIT_MS)
        assert "0912345678" not in page.content()
        page.click("#follow")
        expect(page.locator("#following")).to_be_visible(timeout=WAIT_MS)
        assert not citizen.problems.page_errors and not desk.problems.page_errors
    finally:
        close_citizen()
        close_desk()
