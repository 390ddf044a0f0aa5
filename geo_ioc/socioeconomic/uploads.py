"""Values in: CSV/XLSX uploads and the agencies' JSON API, one transaction each.

Every row is checked first (indicator, unit valid in that period, period, number, the caller's
agency); one bad row refuses the whole batch and the report names each bad row, numbered as a
spreadsheet numbers them (the header is row 1). A batch records the agencies' receipts for
the periods it covers (reporting status).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from geo_ioc.core.roles import Role, user_roles
from geo_ioc.socioeconomic import maps
from geo_ioc.socioeconomic.errors import InvalidPeriod
from geo_ioc.socioeconomic.models import AdminUnit, Indicator, Submission
from geo_ioc.socioeconomic.periods import parse
from layers.errors import ImportRejected, InvalidInput, RowError

COLUMNS = ("indicator", "period", "unit", "value")


@dataclass(frozen=True)
class UploadReport:
    """What a batch wrote."""

    rows: int
    periods: list[str]


def rows_of(table: list[list[Any]]) -> list[dict[str, Any]]:
    """Header + rows into dicts; the header must name the required columns."""
    if not table:
        raise InvalidInput("The file is empty.")
    header = [str(h or "").strip().lower() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"Missing columns {missing}; required: {list(COLUMNS)}.")
    return [
        dict(zip(header, row, strict=False))
        for row in table[1:]
        if any(c not in (None, "") for c in row)
    ]


def _number(raw: Any) -> float:
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw or "").strip().replace(" ", "")
    if "," in text and "." in text:  # Vietnamese 1.234,5
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    return float(text)


def agency_codes(user: AbstractBaseUser | None) -> set[str] | None:
    """The agencies the user reports for; None: any (admins, the command line)."""
    if user is None or Role.ADMIN.value in user_roles(user):
        return None
    return set(user.agencies.values_list("code", flat=True))  # type: ignore[attr-defined]


def check(
    rows: list[dict[str, Any]], user: AbstractBaseUser | None, first_row: int = 2
) -> list[tuple[Any, ...]]:
    """Checked (indicator id, period, unit id, disaggregation, value) rows, or ImportRejected."""
    inds = {i.code: i for i in Indicator.objects.select_related("agency")}
    units: dict[str, list[AdminUnit]] = {}
    for u in AdminUnit.objects.all():
        units.setdefault(u.code, []).append(u)
    allowed = agency_codes(user)
    today = timezone.localdate()
    out: list[tuple[Any, ...]] = []
    errors: list[RowError] = []
    seen: set[tuple[Any, ...]] = set()
    for n, row in enumerate(rows, start=first_row):
        try:
            code = str(row.get("indicator") or "").strip()
            ind = inds.get(code)
            if ind is None:
                raise ValueError(f"unknown indicator {code!r}")
            if allowed is not None and ind.agency.code not in allowed:
                raise ValueError(
                    f"indicator {code} is reported by {ind.agency.code}, not your agency"
                )
            periods = parse(str(row.get("period") or ""), today)
            if len(periods) != 1 or periods[0].kind != "month":
                raise ValueError("period must be one month, e.g. 202611")
            start = periods[0].start
            ucode = str(row.get("unit") or "").strip()
            unit = next(
                (
                    u
                    for u in units.get(ucode, [])
                    if u.valid_from <= start and (u.valid_to is None or u.valid_to >= start)
                ),
                None,
            )
            if unit is None:
                raise ValueError(f"unit {ucode!r} did not exist in {periods[0].key}")
            dis = str(row.get("disaggregation") or "").strip()
            if dis:
                dim, _, member = dis.partition(":")
                if member not in ind.disaggregations.get(dim, []):
                    raise ValueError(f"unknown disaggregation {dis!r} of {code}")
            try:
                value = _number(row.get("value"))
            except ValueError:
                raise ValueError(f"value {row.get('value')!r} is not a number") from None
            key = (ind.pk, start, unit.pk, dis)
            if key in seen:
                raise ValueError("the same indicator, period, unit and disaggregation twice")
            seen.add(key)
            out.append((*key, value))
        except (ValueError, InvalidPeriod) as exc:
            errors.append(RowError(n, str(exc.message if isinstance(exc, InvalidPeriod) else exc)))
    if errors:
        raise ImportRejected(errors)
    return out


@transaction.atomic
def write(values: list[tuple[Any, ...]], user: AbstractBaseUser | None) -> UploadReport:
    """Upsert checked values and record the agencies' receipts, in one transaction."""
    now = timezone.now()
    uid = user.pk if user is not None else None
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO socioeconomic_value (indicator_id, period, unit_id, disaggregation, value,"
            " reported_by_id, reported_at, synthetic) VALUES (%s, %s, %s, %s, %s, %s, %s, false)"
            " ON CONFLICT (indicator_id, period, unit_id, disaggregation) DO UPDATE SET"
            " value = EXCLUDED.value, reported_by_id = EXCLUDED.reported_by_id,"
            " reported_at = EXCLUDED.reported_at, synthetic = false",
            [(*v, uid, now) for v in values],
        )
    agencies = dict(
        Indicator.objects.filter(pk__in={v[0] for v in values}).values_list("pk", "agency_id")
    )
    receipts: dict[tuple[int, dt.date], int] = {}
    for v in values:
        key = (agencies[v[0]], v[1])
        receipts[key] = receipts.get(key, 0) + 1
    for (agency, period), rows in receipts.items():
        sub, created = Submission.objects.get_or_create(
            agency_id=agency,
            periodicity="month",
            period=period,
            defaults={"received_at": now, "by_id": uid, "rows": rows},
        )
        if not created:
            sub.rows += rows
            sub.save(update_fields=["rows"])
    # The indicators' maps follow their values, in the same transaction.
    for ind in Indicator.objects.filter(pk__in={v[0] for v in values}):
        maps.refresh(ind)
    return UploadReport(len(values), sorted({f"{p:%Y%m}" for _, p in receipts}))


def upload(path: Path, user: AbstractBaseUser | None) -> UploadReport:
    """Check and write a file of values (nothing is written if a row is bad)."""
    return upload_bytes(path.name, path.read_bytes(), user)


def upload_bytes(name: str, data: bytes, user: AbstractBaseUser | None) -> UploadReport:
    """The same for a file's name and bytes (an HTTP upload): CSV (UTF-8, BOM or not) or XLSX."""
    if name.lower().endswith(".csv"):
        rows = rows_of(list(csv.reader(io.StringIO(data.decode("utf-8-sig")))))
    elif name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        assert sheet is not None
        rows = rows_of([list(r) for r in sheet.iter_rows(values_only=True)])
    else:
        raise InvalidInput("Send a .csv or .xlsx file.", field="file")
    return write(check(rows, user), user)
