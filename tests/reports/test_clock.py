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


@pytest.mark.django_db
def test_tet_2027_is_computed_not_typed_in() -> None:
    """2027 has no rows for Tết or the Hùng Kings' day: the lunar dates come from the library."""
    from geo_ioc.reports.models import Holiday

    assert not Holiday.objects.filter(date__range=(date(2027, 1, 2), date(2027, 12, 31))).exists()
    cal = calendar(date(2027, 1, 20))
    # Tết Đinh Mùi: mùng 1 is Saturday 6 Feb 2027; the break runs Thu 4 – Wed 10 Feb.
    for day in (date(2027, 2, 4), date(2027, 2, 6), date(2027, 2, 8), date(2027, 2, 10)):
        assert not cal.is_working_day(day), day
    assert cal.is_working_day(date(2027, 2, 3)) and cal.is_working_day(date(2027, 2, 11))
    # Wed 3 Feb 16:00 + 1 working day (7.5 h): 1 h that day, the rest on Thu 11 Feb.
    assert cal.add_days(at("2027-02-03T16:00"), 1) == at("2027-02-11T16:00")
    # The Hùng Kings' day (10th of the 3rd lunar month) is Friday 16 April 2027.
    assert not cal.is_working_day(date(2027, 4, 16))
    assert cal.add_days(at("2027-04-15T17:00"), 1) == at("2027-04-19T17:00")
    # What the Government declares on top (a bridge day) still comes from the data table,
    # and a swapped Saturday worked in exchange stays a working day.
    Holiday.objects.create(date=date(2027, 2, 11), name="Nghỉ bù (thử)")
    assert calendar(date(2027, 1, 20)).add_days(at("2027-02-03T16:00"), 1) == at("2027-02-12T16:00")


@pytest.mark.django_db
def test_a_deadline_of_a_2027_report_skips_tet(reports_seeded: str) -> None:
    from geo_ioc.reports import services
    from geo_ioc.reports.schemas import ReportIn
    from tests.reports.conftest import WARD_POINT

    data = ReportIn(
        category="pothole", lon=WARD_POINT[0], lat=WARD_POINT[1], description="Ổ gà trước Tết"
    )
    report = services.create_report(data, received_at=at("2027-02-03T16:00"))
    days = report.category.resolve_days
    expected = calendar(date(2027, 2, 3)).add_days(at("2027-02-03T16:00"), days)
    assert report.due_resolve_at == expected
    assert report.due_resolve_at >= at("2027-02-11T16:00")  # not one Tết day counted
