"""HTTP endpoints of the socio-economic indicators (`/socioeconomic/…`)."""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from geo_ioc.core.errors import InvalidParameter, NotAuthenticated
from geo_ioc.core.http import allow, json_response
from geo_ioc.socioeconomic import (
    analytics,
    exchange,
    forecasts,
    reexpress,
    report_form,
    reporting,
    uploads,
)
from geo_ioc.socioeconomic.models import Indicator, Level
from geo_ioc.socioeconomic.periods import parse_many
from layers.errors import ImportRejected


def _list(request: HttpRequest, name: str, required: bool = True) -> list[str]:
    raw = request.GET.get(name, "")
    items = [x.strip() for x in raw.replace(";", ",").split(",") if x.strip()]
    if required and not items:
        raise InvalidParameter(f"{name} is required (a comma-separated list).", field=name)
    return items


def _date(request: HttpRequest) -> dt.date:
    raw = request.GET.get("date")
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter("date must be YYYY-MM-DD.", field="date") from None


@allow("GET")
def indicators(request: HttpRequest) -> HttpResponse:
    """`GET /socioeconomic/indicators?group=…`: the registry."""
    rows = Indicator.objects.select_related("agency", "weight", "numerator", "denominator")
    if group := request.GET.get("group"):
        rows = rows.filter(group=group)
    return json_response({"indicators": exchange.qcvn125_catalogue(list(rows))})


@allow("GET")
def analytics_view(request: HttpRequest) -> HttpResponse:
    """`GET /socioeconomic/analytics?dx=…&pe=…&ou=…[&level=commune][&reexpress=true][&format=…]`."""
    level = request.GET.get("level") or None
    if level is not None and level not in Level.values:
        raise InvalidParameter(f"level must be one of {', '.join(Level.values)}.", field="level")
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        raise InvalidParameter("format must be json, csv or xlsx.", field="format")
    query = analytics.parse_query(
        _list(request, "dx"),
        _list(request, "pe"),
        _list(request, "ou"),
        _date(request),
        level,
        request.GET.get("disaggregation", ""),
    )
    flag = request.GET.get("reexpress", "")
    if flag not in ("", "0", "1", "true", "false"):
        raise InvalidParameter("reexpress must be true or false.", field="reexpress")
    found: list[reexpress.Link] | None = None
    if flag in ("1", "true"):
        # Values of the units on the other side of the 2025 crosswalk, weighted by its shares.
        cells, found = reexpress.run(query)
    else:
        cells = analytics.run(query)
    if fmt == "csv":
        response = HttpResponse(exchange.cells_csv(cells), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="analytics.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            exchange.cells_xlsx(cells),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="analytics.xlsx"'
        return response
    return json_response(
        {
            "periods": [p.key for p in query.periods],
            "units": [
                {"code": u.code, "name_vi": u.name_vi, "name_en": u.name_en} for u in query.units
            ],
            "rows": [c.as_dict() for c in cells],
        }
        | ({"reexpressed": [link.as_dict() for link in found]} if found is not None else {})
    )


def _refused(exc: ImportRejected) -> HttpResponse:
    body = exc.as_dict() | {"errors": [{"row": e.row, "reason": e.reason} for e in exc.errors]}
    return json_response(body, status=exc.status)


def _writer(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated("Reporting values needs an agency's API token.")


@allow("POST")
def post_values(request: HttpRequest) -> HttpResponse:
    """`POST /socioeconomic/values`: `{"values": [{"indicator", "period", "unit", "value"}]}`."""
    _writer(request)
    try:
        body = json.loads(request.body or b"null")
    except json.JSONDecodeError as exc:
        raise InvalidParameter(f"The body is not valid JSON: {exc.msg}.") from None
    rows = body.get("values") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidParameter(
            'Send {"values": [{"indicator", "period", "unit", "value"}, …]}.', field="values"
        )
    try:
        report = uploads.write(uploads.check(rows, request.user, first_row=1), request.user)  # type: ignore[arg-type]
    except ImportRejected as exc:
        return _refused(exc)
    return json_response({"rows": report.rows, "periods": report.periods})


@allow("POST")
def post_upload(request: HttpRequest) -> HttpResponse:
    """`POST /socioeconomic/uploads`: multipart `file` (.csv or .xlsx), one transaction."""
    _writer(request)
    f = request.FILES.get("file")
    if f is None:
        raise InvalidParameter("Send the file as multipart field 'file'.", field="file")
    try:
        report = uploads.upload_bytes(f.name or "", f.read(), request.user)  # type: ignore[arg-type]
    except ImportRejected as exc:
        return _refused(exc)
    return json_response({"rows": report.rows, "periods": report.periods})


@allow("GET")
def reporting_view(request: HttpRequest) -> HttpResponse:
    """`GET /socioeconomic/reporting?pe=LAST_3_MONTHS`: each agency's reports, on time or late."""
    periods = [
        p
        for p in parse_many(
            _list(request, "pe", required=False) or ["LAST_3_MONTHS"], _date(request)
        )
        if p.kind == "month"
    ]
    rows = reporting.status(periods)
    return json_response({"summary": reporting.rates(rows), "rows": [r.as_dict() for r in rows]})


@allow("GET")
def qcvn125(request: HttpRequest) -> HttpResponse:
    """`GET /socioeconomic/export/qcvn125.json[?since=2026-01-01]`: registry, data, status."""
    since = request.GET.get("since")
    try:
        start = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise InvalidParameter("since must be YYYY-MM-DD.", field="since") from None
    return json_response(exchange.qcvn125(start))


@allow("GET")
def forecast_view(request: HttpRequest) -> HttpResponse:
    """`GET /socioeconomic/forecast?dx=code&ou=68[&horizon=6][&level=0.8]`: next periods."""
    try:
        horizon = int(request.GET.get("horizon", "6"))
        level = float(request.GET.get("level", "0.8"))
    except ValueError:
        raise InvalidParameter("horizon is an integer and level a number.") from None
    if not 1 <= horizon <= 24 or not 0.5 <= level < 1:
        raise InvalidParameter("horizon must be 1–24 and level 0.5–0.99.", field="horizon")
    query = analytics.parse_query(
        _list(request, "dx")[:1], ["LAST_MONTH"], _list(request, "ou")[:1], _date(request)
    )
    made = forecasts.forecast(query.indicators[0], query.units[0], _date(request), horizon, level)
    return json_response(
        {"indicator": query.indicators[0].code, "unit": query.units[0].code} | made.as_dict()
    )


@allow("GET")
def form_view(request: HttpRequest) -> HttpResponse:
    """`GET /socioeconomic/form[?pe=202611]`: the user's monthly report form (last month)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("The monthly report form is for an agency's logged-in users.")
    periods = parse_many(_list(request, "pe", required=False) or ["LAST_MONTH"], _date(request))
    if len(periods) != 1 or periods[0].kind != "month":
        raise InvalidParameter("pe must be one month, e.g. 202611.", field="pe")
    return json_response(report_form.form(request.user, periods[0]))  # type: ignore[arg-type]
