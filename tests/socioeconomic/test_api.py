"""The HTTP API: analytics, per-agency tokens, uploads in one transaction, reporting alerts."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from django.db import connection

from geo_ioc.socioeconomic.periods import month
from tests.conftest import Users
from tests.socioeconomic.conftest import TODAY

LAST = month(TODAY).previous().key

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def agency_token(se_demo: dict[str, int], django_db_blocker: pytest.FixtureRequest) -> str:
    """An API token of a user of the Department of Industry and Trade (SCT)."""
    from django.contrib.auth import get_user_model

    from geo_ioc.core.models import ApiToken
    from geo_ioc.socioeconomic.models import Agency

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        user, _ = get_user_model().objects.get_or_create(username="sct_reporter")
        Agency.objects.get(code="SCT").members.add(user)
        return ApiToken.issue(user, name="sct")[1]


def _count(code: str) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM socioeconomic_value v JOIN socioeconomic_indicator i"
            " ON i.id = v.indicator_id WHERE i.code = %s AND NOT v.synthetic",
            [code],
        )
        return int(cur.fetchone()[0])


def test_analytics_json_csv_and_errors(http: httpx.Client, se_demo: dict[str, int]) -> None:
    params = {"dx": "retail_sales,on_time_rate", "pe": "LAST_QUARTER", "ou": "68"}
    body = http.get("/socioeconomic/analytics", params=params).json()
    assert {r["indicator"] for r in body["rows"]} == {"retail_sales", "on_time_rate"}
    text = http.get("/socioeconomic/analytics", params=params | {"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2 and float(rows[0]["value"]) > 0
    bad = http.get("/socioeconomic/analytics", params=params | {"dx": "nope"})
    assert bad.status_code == 404 and bad.json()["code"] == "unknown_indicator"
    bad = http.get("/socioeconomic/analytics", params=params | {"pe": "202613"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"


def test_agency_token_reports_only_its_indicators(http: httpx.Client, agency_token: str) -> None:
    auth = {"Authorization": f"Token {agency_token}"}
    anon = http.post("/socioeconomic/values", json={"values": []})
    assert anon.status_code == 401
    before = _count("exports")
    refused = http.post(
        "/socioeconomic/values",
        headers=auth,
        json={
            "values": [
                {"indicator": "exports", "period": LAST, "unit": "68.XH", "value": 3.5},
                {"indicator": "budget_revenue", "period": LAST, "unit": "68.XH", "value": 20},
            ]
        },
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"row": 2, "reason": "indicator budget_revenue is reported by STC, not your agency"}
    ]
    assert _count("exports") == before
    ok = http.post(
        "/socioeconomic/values",
        headers=auth,
        json={
            "values": [{"indicator": "exports", "period": LAST, "unit": "68.XH", "value": "3,5"}]
        },
    )
    assert ok.status_code == 200 and ok.json()["rows"] == 1
    assert _count("exports") == before + 1


def test_upload_with_one_bad_row_changes_nothing(
    http: httpx.Client, agency_token: str, users: Users
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["indicator", "period", "unit", "value"])
    ws.append(["retail_sales", LAST, "68.CL", 101.5])
    ws.append(["retail_sales", LAST, "68.LV", "nhiều"])
    ws.append(["retail_sales", LAST, "672.05", 3])  # an old unit, gone since 2025-07
    buf = io.BytesIO()
    wb.save(buf)
    before = _count("retail_sales")
    answer = http.post(
        "/socioeconomic/uploads",
        headers={"Authorization": f"Token {agency_token}"},
        files={"file": ("ban-le.xlsx", buf.getvalue())},
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert [e["row"] for e in errors] == [3, 4]
    assert "not a number" in errors[0]["reason"] and "did not exist" in errors[1]["reason"]
    assert _count("retail_sales") == before


def test_late_report_raises_an_alert(se_demo: dict[str, int]) -> None:
    from geo_ioc.operations.models import Alert, AlertRule
    from geo_ioc.operations.rulekinds import sweep_all
    from geo_ioc.socioeconomic.models import Submission

    rule = AlertRule.objects.create(
        name="late reports",
        kind="late_report",
        params={"agencies": ["CAT"]},
        event="Báo cáo trễ hạn",
    )
    sweep_all()
    assert not Alert.objects.filter(rule=rule).exists()  # CAT reported (the demo's receipts)
    # Take back the police's receipt of the month before last: now past its deadline.
    from django.utils import timezone

    from geo_ioc.socioeconomic.periods import month

    gone = month(timezone.localdate()).previous().previous()
    Submission.objects.filter(agency__code="CAT", period=gone.start).delete()
    sweep_all()
    alert = Alert.objects.get(rule=rule)
    assert alert.key == f"late_report:CAT:{gone.key}" and "CAT" in alert.headline


def test_reporting_status_and_qcvn125_export(http: httpx.Client, se_demo: dict[str, int]) -> None:
    from geo_ioc.socioeconomic.periods import parse

    periods = parse("LAST_3_MONTHS", TODAY)
    body = http.get("/socioeconomic/reporting", params={"pe": "LAST_3_MONTHS"}).json()
    s = body["summary"]
    assert len(body["rows"]) == 10 * 3  # ten agencies × three months
    assert (
        s["received"] + s["missing"] == s["expected"] and s["on_time"] + s["late"] == s["received"]
    )
    with connection.cursor() as cur:
        # Late: received after the period's end + the longest deadline of the agency (10 days).
        cur.execute(
            "SELECT count(*) FROM socioeconomic_submission WHERE period = ANY(%s)"
            " AND (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
            " > (period + interval '1 month' + interval '10 days')::date",
            [[p.start for p in periods]],
        )
        assert s["late"] == cur.fetchone()[0] > 0
        cur.execute(
            "SELECT count(*) FROM socioeconomic_value WHERE period >= %s", [periods[-1].start]
        )
        values = cur.fetchone()[0]
    package = http.get(
        "/socioeconomic/export/qcvn125.json", params={"since": periods[-1].start.isoformat()}
    ).json()
    assert package["standard"] == "QCVN 125:2021/BTTTT" and "field" in package["note"]
    assert len(package["indicator_catalogue"]) == 46 and len(package["kpi_data"]) == values
    assert {"kpi_set", "kpi_group", "kpi_disaggregation", "report_status"} <= set(package)


def test_monthly_form_lists_the_agencys_reported_indicators(
    http: httpx.Client, agency_token: str
) -> None:
    anon = http.get("/socioeconomic/form")
    assert anon.status_code == 401 and anon.json()["code"]
    auth = {"Authorization": f"Token {agency_token}"}
    bad = http.get("/socioeconomic/form", params={"pe": "2026Q1"}, headers=auth)
    assert bad.status_code == 400 and bad.json()["field"] == "pe"
    body = http.get("/socioeconomic/form", params={"pe": LAST}, headers=auth).json()
    assert body["period"] == LAST
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.code FROM socioeconomic_indicator i JOIN socioeconomic_agency a"
            " ON a.id = i.agency_id WHERE a.code = 'SCT' AND i.periodicity = 'month'"
            " AND i.aggregation <> 'ratio' ORDER BY i.group, i.code"
        )
        codes = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT u.code, v.value FROM socioeconomic_value v"
            " JOIN socioeconomic_indicator i ON i.id = v.indicator_id AND i.code = 'retail_sales'"
            " JOIN socioeconomic_adminunit u ON u.id = v.unit_id"
            " WHERE v.period = to_date(%s, 'YYYYMM') AND v.disaggregation = ''",
            [LAST],
        )
        held = dict(cur.fetchall())
    assert codes and [i["code"] for i in body["indicators"]] == codes
    assert {i["agency"] for i in body["indicators"]} == {"SCT"}
    assert len(body["units"]) == 38
    assert body["values"]["retail_sales"] == pytest.approx(held)
