"""Periods: months, quarters and years as [start, end) date ranges, and relative periods.

A period is named as DHIS2 names it: `202611` (month), `2026Q4` (quarter), `2026` (year), or
relative to a reference date: `THIS_MONTH`, `LAST_MONTH`, `LAST_3_MONTHS`, `LAST_12_MONTHS`,
`THIS_QUARTER`, `LAST_QUARTER`, `THIS_YEAR`, `LAST_YEAR`, `SAME_MONTH_LAST_YEAR`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from geo_ioc.socioeconomic.errors import InvalidPeriod


def add_months(d: dt.date, n: int) -> dt.date:
    """The first day of the month n months after d's month."""
    k = d.year * 12 + d.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A calendar period: its key, kind, and [start, end)."""

    key: str
    kind: str  # month | quarter | year
    start: dt.date
    end: dt.date

    def previous(self) -> Period:
        """The period just before, of the same kind."""
        return shift(self, -1)

    def same_last_year(self) -> Period:
        """The same period a year before."""
        return shift(self, -{"month": 12, "quarter": 4, "year": 1}[self.kind])

    def months(self) -> int:
        """Its length in months."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month


def month(d: dt.date) -> Period:
    """The month containing d."""
    s = d.replace(day=1)
    return Period(f"{s.year}{s.month:02d}", "month", s, add_months(s, 1))


def quarter(year: int, q: int) -> Period:
    """Quarter q (1–4) of a year."""
    s = dt.date(year, 3 * q - 2, 1)
    return Period(f"{year}Q{q}", "quarter", s, add_months(s, 3))


def year(y: int) -> Period:
    """A calendar year."""
    return Period(str(y), "year", dt.date(y, 1, 1), dt.date(y + 1, 1, 1))


def shift(p: Period, n: int) -> Period:
    """The period n steps of its own kind away."""
    if p.kind == "month":
        return month(add_months(p.start, n))
    if p.kind == "quarter":
        k = p.start.year * 4 + (p.start.month - 1) // 3 + n
        return quarter(k // 4, k % 4 + 1)
    return year(p.start.year + n)


_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def parse(text: str, today: dt.date) -> list[Period]:
    """The periods a name stands for (a relative name may stand for several)."""
    t = text.strip().upper()
    this = month(today)
    this_q = quarter(today.year, (today.month - 1) // 3 + 1)
    relative = {
        "THIS_MONTH": [this],
        "LAST_MONTH": [this.previous()],
        "LAST_3_MONTHS": [shift(this, -n) for n in range(3, 0, -1)],
        "LAST_12_MONTHS": [shift(this, -n) for n in range(12, 0, -1)],
        "SAME_MONTH_LAST_YEAR": [this.previous().same_last_year()],
        "THIS_QUARTER": [this_q],
        "LAST_QUARTER": [this_q.previous()],
        "THIS_YEAR": [year(today.year)],
        "LAST_YEAR": [year(today.year - 1)],
    }
    if t in relative:
        return relative[t]
    if m := _MONTH.match(t):
        if not 1 <= int(m.group(2)) <= 12:
            raise InvalidPeriod(f"Month {t}: the month must be 01–12.", field="pe")
        return [month(dt.date(int(m.group(1)), int(m.group(2)), 1))]
    if m := _QUARTER.match(t):
        return [quarter(int(m.group(1)), int(m.group(2)))]
    if _YEAR.match(t):
        return [year(int(t))]
    raise InvalidPeriod(
        f"Unknown period {text!r}: use 202611, 2026Q4, 2026 or one of {', '.join(relative)}.",
        field="pe",
    )


def parse_many(texts: list[str], today: dt.date) -> list[Period]:
    """The periods of several names, without repeats, in order."""
    out: dict[str, Period] = {}
    for t in texts:
        for p in parse(t, today):
            out.setdefault(p.key, p)
    return list(out.values())
