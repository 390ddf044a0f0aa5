"""Typed inputs of the reports API (pydantic), shared by the web, hotline and Open311 paths."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from geo_ioc.operations.models import Incident
from geo_ioc.reports.models import Report


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Contact(_Strict):
    """Who reported (private)."""

    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40, pattern=r"^[0-9 +().-]*$")
    email: str = Field(default="", max_length=200)
    device_id: str = Field(default="", max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and ("@" not in value or " " in value.strip()):
            raise ValueError("not an e-mail address")
        return value.strip()


class ReportIn(_Strict):
    """A new report, whatever the channel."""

    category: str = Field(min_length=1, max_length=64)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    description: str = Field(min_length=5, max_length=4000)
    address: str = Field(default="", max_length=300)
    attributes: dict[str, Any] = Field(default_factory=dict)
    contact: Contact = Field(default_factory=Contact)
    source: Report.Source = Report.Source.WEB


class StepIn(_Strict):
    """A staff step: `action` from the workflow, a note, a unit for routing."""

    action: str
    note: str = Field(default="", max_length=4000)
    unit: str | None = Field(default=None, description="unit code, for route")
    rejection: Report.Rejection | None = None
    duplicate_of: str | None = Field(default=None, description="tracking code of the original")
    public: bool = True


class IncidentIn(_Strict):
    """Turn a report into an incident."""

    type: Incident.Type = Incident.Type.OTHER
    severity: int = Field(default=2, ge=1, le=4)


class CallerFollowIn(_Strict):
    """A hotline caller who reports an open report again follows it instead (number private)."""

    phone: str = Field(min_length=6, max_length=40, pattern=r"^[0-9 +().-]*$")
