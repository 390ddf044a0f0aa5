"""Typed outputs of the indicators API: the KPI strip, its 24-hour series and the replay."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class HourCount(BaseModel):
    """How many in one hour (the hour's start, ISO 8601)."""

    hour: str
    count: int


class HourAqi(BaseModel):
    """The hourly VN_AQI of one hour; none when the hour has no data."""

    hour: str
    aqi: int | None
    colour: str | None


class BandName(BaseModel):
    """A VN_AQI band in both languages, with its colour."""

    vi: str
    en: str
    colour: str


class Incidents(BaseModel):
    """Open incidents now and the flow of the last hours."""

    open: int
    by_severity: dict[str, int]
    by_status: dict[str, int]
    reported: int
    resolved: int
    minutes_to_acknowledge: float | None
    per_hour: list[HourCount]


class Alerts(BaseModel):
    """Alerts waiting for a person, and those seen but not over."""

    active: int
    acknowledged: int
    latest: str | None


class Station(BaseModel):
    """A station with its latest hourly VN_AQI."""

    code: str
    name: str
    aqi: int
    band: BandName
    dominant: str | None
    hour: str | None
    lon: float
    lat: float


class Air(BaseModel):
    """Air quality: the worst reporting station and its last hours, freshness, readings."""

    stations: int
    reporting: int
    stale: int
    worst: Station | None
    readings_last_hour: int
    readings_this_hour: int
    per_hour: list[HourAqi]


class Cameras(BaseModel):
    """Cameras by status."""

    total: int
    online: int
    offline: int
    maintenance: int


class Indicators(BaseModel):
    """The KPI strip: one key per part of the apps, null where the caller may not see its layer."""

    model_config = ConfigDict(extra="allow")

    time: str
    hours: int


class ReplayIncident(BaseModel):
    """An incident as the time slider needs it: where, what, and when it was open."""

    id: int
    code: str
    type: str
    severity: int
    status: str
    lon: float
    lat: float
    reported_at: str
    ended_at: str | None


class ReplayStation(BaseModel):
    """An air station's hourly VN_AQI over the replayed hours."""

    code: str
    name: str
    lon: float
    lat: float
    series: list[HourAqi]


class Timeline(BaseModel):
    """What the map replays: incidents open at some time in [start, end] and station AQI."""

    start: str
    end: str
    hours: int
    incidents: list[ReplayIncident] | None
    stations: list[ReplayStation] | None
