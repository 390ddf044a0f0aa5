"""Deadline clocks in working hours: the units' office hours, weekends and public holidays.

`WorkCalendar` is pure (tested on its own); `calendar()` builds it from `calendar.yaml`'s hours,
the Vietnamese public holidays computed by the `holidays` library (the lunar ones too: Tết and
the Hùng Kings' day, so any year is covered) and the `Holiday` rows (loaded from the same file
by the migration, editable by an admin) for what the Government declares each year on top:
bridge days and swaps. A day is a holiday when either says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_rules
import yaml

CALENDAR_FILE = Path(__file__).with_name("calendar.yaml")
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


@dataclass(frozen=True)
class WorkCalendar:
    """Office hours on working days; everything else does not count towards a deadline."""

    hours: tuple[tuple[time, time], ...]
    weekdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a holiday, or a Saturday worked in exchange."""
        if day in self.workdays:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day."""
        return sum(
            (datetime.combine(date.min, b) - datetime.combine(date.min, a) for a, b in self.hours),
            timedelta(),
        )

    def _intervals(self, start: datetime) -> Any:
        """Working intervals (local, aware) from `start` on, clipped to start."""
        day = start.date()
        while True:
            if self.is_working_day(day):
                for a, b in self.hours:
                    lo = datetime.combine(day, a, LOCAL)
                    hi = datetime.combine(day, b, LOCAL)
                    if hi > start:
                        yield max(lo, start), hi
            day += timedelta(days=1)

    def add(self, start: datetime, work: timedelta) -> datetime:
        """The moment `work` of working time after `start` (a deadline)."""
        left = work
        for lo, hi in self._intervals(start.astimezone(LOCAL)):
            if hi - lo >= left:
                return lo + left
            left -= hi - lo
        raise AssertionError("unreachable: the calendar has working days")

    def add_days(self, start: datetime, days: int) -> datetime:
        """N working days after `start` (N days' worth of working hours)."""
        return self.add(start, self.day_length * days)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from `start` to `end` (zero if end is earlier)."""
        total = timedelta()
        if end <= start:
            return total
        for lo, hi in self._intervals(start.astimezone(LOCAL)):
            if lo >= end:
                break
            total += min(hi, end) - lo
        return total


def read_file(path: Path = CALENDAR_FILE) -> dict[str, Any]:
    """The calendar file as data."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _base() -> tuple[tuple[tuple[time, time], ...], frozenset[int], frozenset[date]]:
    data = read_file()
    hours = tuple((_time(a), _time(b)) for a, b in data["hours"])
    workdays = frozenset(date.fromisoformat(str(d)) for d in data.get("workdays") or [])
    return hours, frozenset(data["weekdays"]), workdays


# The years computed around today: a deadline is weeks ahead at most, a report's history years.
YEARS_BACK, YEARS_AHEAD = 5, 2


@lru_cache(maxsize=8)
def public_holidays(first: int, last: int) -> frozenset[date]:
    """Vietnam's public holidays of the years first..last, as the `holidays` library has them."""
    return frozenset(holiday_rules.country_holidays("VN", years=range(first, last + 1)))


def calendar(today: date | None = None) -> WorkCalendar:
    """The working calendar in force: the file's hours, computed and declared holidays."""
    from geo_ioc.reports.models import Holiday

    hours, weekdays, workdays = _base()
    year = (today or date.today()).year
    declared = frozenset(Holiday.objects.values_list("date", flat=True))
    computed = public_holidays(year - YEARS_BACK, year + YEARS_AHEAD)
    return WorkCalendar(hours, weekdays, (declared | computed) - workdays, workdays)
