"""A citizen reports from a phone-sized page with a photo and follows the report by its code;
an operator's desk sees it arrive live and resolves a report with an answer photo; an operator
records a hotline call in the console's reports panel (placed on the map, duplicate check) and
sees reports arrive there."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.browser.conftest import WAIT_MS, Login, log_in, open_page
from tests.reports.conftest import WARD_POINT, jpeg, reports_seeded  # noqa: F401 (fixture)
from tests.reports.test_photos import _with_exif

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


def test_operator_records_a_call_in_the_console_and_sees_reports_arrive(
    browser: Browser,
    server_url: str,
    operator_login: Login,
    reports_seeded: str,  # noqa: F811
) -> None:
    console, close = open_page(browser, server_url)
    console.page.set_default_timeout(WAIT_MS)
    try:
        page = console.page
        log_in(console, operator_login, "/")
        expect(page.locator("#pane-reports[data-ready='1']")).to_have_count(1, timeout=WAIT_MS)
        # The KPI strip's reports tile: received today, overdue, on time.
        expect(page.locator("[data-kpi='reports'] .kpi-sub")).to_contain_text("quá hạn")
        # Subscribed: the live channel has answered with its position in the event log.
        page.wait_for_function("() => window.geoIocLive && window.geoIocLive.lastSeq !== null")
        page.click("[data-tab='reports']", timeout=WAIT_MS)
        expect(page.locator("#rp-hotline")).to_be_visible()
        page.select_option("#rp-category", "tree", timeout=WAIT_MS)

        # The place is picked on the map: centre the map on it (at the zoom it has: a deeper one
        # costs a software-rendered browser dearly), arm the pick, click that point.
        lon, lat = WARD_POINT[0] + 0.004, WARD_POINT[1] - 0.003
        page.click("#rp-pick", timeout=WAIT_MS)
        at = page.evaluate(
            f"(() => {{ const m = window.geoIocMap; m.jumpTo({{center: [{lon}, {lat}]}});"
            " const r = m.getCanvas().getBoundingClientRect();"
            f" const p = m.project([{lon}, {lat}]); return [r.left + p.x, r.top + p.y]; }})()"
        )
        page.mouse.click(at[0], at[1])
        expect(page.locator("#pane-reports[data-nearby-checked]")).to_have_count(1, timeout=WAIT_MS)
        placed = page.evaluate("window.geoIocReports.point")
        # Within a pixel of the point at the console's zoom.
        assert abs(placed[0] - lon) < 0.001 and abs(placed[1] - lat) < 0.001, placed

        page.fill("#rp-address", "Trước số 12 đường Trần Phú")
        page.fill("#rp-description", "Người gọi báo cành cây gãy chắn lối đi bộ")
        page.fill("#rp-phone", "0987 654 321")
        page.click("#rp-record", timeout=WAIT_MS)
        message = page.locator("#rp-message[data-code]")
        expect(message).to_have_count(1, timeout=WAIT_MS)
        code = message.get_attribute("data-code")
        assert code and code.startswith("PA-")
        row = page.locator(f"#rp-incoming li[data-code='{code}']")
        expect(row).to_have_count(1, timeout=WAIT_MS)
        expect(row).to_contain_text("1022")
        # The caller's number stays on the server: not in the list, nor in the page.
        assert "0987 654 321" not in page.content() and "0987654321" not in page.content()

        # The same place again: the duplicate check offers the recorded report, and a second
        # caller follows it instead of filing another.
        page.click("#rp-pick", timeout=WAIT_MS)
        page.mouse.click(at[0], at[1])
        offered = page.locator(f"#rp-nearby li[data-code='{code}']")
        expect(offered).to_have_count(1, timeout=WAIT_MS)
        page.fill("#rp-phone", "0911 222 333")
        offered.locator("button").click(timeout=WAIT_MS)
        expect(page.locator(f"#rp-message[data-code='{code}']")).to_have_count(1, timeout=WAIT_MS)

        # A report from another channel (an Open311 client) arrives without a reload.
        posted = httpx.post(
            f"{server_url}/open311/v2/requests.json",
            data={
                "service_code": "drain",
                "lat": WARD_POINT[1],
                "long": WARD_POINT[0] - 0.001,
                "description": "Nắp cống vỡ giữa đường",
                "api_key": reports_seeded,
            },
        )
        assert posted.status_code == 201, posted.text
        other = posted.json()[0]["service_request_id"]
        expect(page.locator(f"#rp-incoming li[data-code='{other}']")).to_have_count(
            1, timeout=WAIT_MS
        )
        assert not console.problems.page_errors
    finally:
        close()


def test_the_desk_resolves_a_report_with_an_answer_photo(
    browser: Browser,
    server_url: str,
    operator_login: Login,
    reports_seeded: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    posted = httpx.post(
        f"{server_url}/open311/v2/requests.json",
        data={
            "service_code": "pothole",
            "lat": WARD_POINT[1] + 0.001,
            "long": WARD_POINT[0] + 0.001,
            "description": "Ổ gà lớn trước cổng trường",
            "api_key": reports_seeded,
        },
    )
    assert posted.status_code == 201, posted.text
    code = posted.json()[0]["service_request_id"]
    # The answer photo as a phone takes it: with EXIF (a camera make and GPS).
    photo = tmp_path / "done.jpg"
    photo.write_bytes(_with_exif())
    desk, close = open_page(browser, server_url)
    desk.page.set_default_timeout(WAIT_MS)
    try:
        page = desk.page
        log_in(desk, operator_login, "/reports/desk")
        page.click(f"#incoming li[data-code='{code}']")
        expect(page.locator(f"#handle[data-code='{code}']")).to_have_count(1)
        page.select_option("#s-action", "accept")
        page.click("#s-send")
        expect(page.locator("#handle[data-status='accepted']")).to_have_count(1)
        page.select_option("#s-action", "resolve")
        page.fill("#s-note", "Đã vá ổ gà, mặt đường bằng phẳng")
        page.set_input_files("#s-photo", str(photo))
        page.click("#s-send")
        expect(page.locator("#handle[data-status='resolved']")).to_have_count(1)
        expect(page.locator("#s-answer img")).to_have_count(1)
        assert not desk.problems.page_errors
    finally:
        close()
    # The citizen's page shows the answer and its photo, re-encoded without any metadata.
    public = httpx.get(f"{server_url}/reports/public/{code}").json()["report"]["properties"]
    assert public["status"] == "resolved" and public["answer"].startswith("Đã vá")
    (photo_id,) = public["answer_photos"]
    stored = httpx.get(f"{server_url}/reports/photos/{photo_id}.jpg")
    assert stored.status_code == 200
    image = Image.open(io.BytesIO(stored.content))
    assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
