"""Deadline clocks in working hours: across a weekend and a public holiday."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from geo_ioc.reports.clock import LOCAL, WorkCalendar, calendar, read_file

HOURS = tuple(
    (datetime.strptime(a, "%H:%M").time(), datetime.strptime(b, "%H:%M").time())
    for a, b in read_file()["hours"]
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def test_a_friday_afternoon_report_is_due_on_monday() -> None:
    cal = WorkCalendar(HOURS)
    # Fri 16:00 + 8 working hours: 1 h on Friday, 4 h Monday morning, 3 h after lunch.
    assert cal.add(at("2026-03-06T16:00"), timedelta(hours=8)) == at("2026-03-09T16:30")
    assert cal.between(at("2026-03-06T16:00"), at("2026-03-09T16:30")) == timedelta(hours=8)


def test_a_holiday_monday_moves_the_deadline_to_tuesday() -> None:
    cal = WorkCalendar(HOURS, holidays=frozenset({date(2026, 3, 9)}))
    assert cal.add(at("2026-03-06T16:00"), timedelta(hours=8)) == at("2026-03-10T16:30")
    # A report received on the holiday itself starts counting on Tuesday morning.
    assert cal.add(at("2026-03-09T09:00"), timedelta(hours=1)) == at("2026-03-10T08:30")


def test_working_days_and_lunch() -> None:
    cal = WorkCalendar(HOURS)
    assert cal.day_length == timedelta(hours=7, minutes=30)
    # Received at lunch: the clock starts at 13:30.
    assert cal.add(at("2026-03-04T12:00"), timedelta(minutes=30)) == at("2026-03-04T14:00")
    # 5 working days from Wednesday 10:00 end the next Wednesday 10:00 (a weekend between).
    assert cal.add_days(at("2026-03-04T10:00"), 5) == at("2026-03-11T10:00")


def test_a_swapped_saturday_counts() -> None:
    cal = WorkCalendar(HOURS, workdays=frozenset({date(2026, 3, 7)}))
    assert cal.add(at("2026-03-06T16:00"), timedelta(hours=2)) == at("2026-03-07T08:30")


@pytest.mark.django_db
def test_the_holidays_are_data() -> None:
    """The migration loaded calendar.yaml: Tết 2026 and National Day are not working days."""
    cal = calendar()
    for day in (date(2026, 2, 17), date(2026, 9, 2), date(2025, 4, 30)):
        assert not cal.is_working_day(day)
    # Friday 13 Feb 2026, 16:00 + 2 h: Tết runs 14–22 Feb, so the clock resumes on the 23rd.
    assert cal.add(at("2026-02-13T16:00"), timedelta(hours=2)) == at("2026-02-23T08:30")
