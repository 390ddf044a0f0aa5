"""Typed inputs of the incident API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geo_ioc.operations.models import Incident


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentCreate(_Strict):
    """A new incident, located by lon/lat (WGS 84)."""

    type: Incident.Type
    severity: int = Field(ge=1, le=4)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    description: str = Field(default="", max_length=4000)
    source: Incident.Source = Incident.Source.OPERATOR
    road_name: str = Field(default="", max_length=200)
    responsible_unit: str = Field(default="", max_length=200)


class IncidentUpdate(_Strict):
    """Changed attributes of an incident; the status changes only through a transition."""

    type: Incident.Type | None = None
    severity: int | None = Field(default=None, ge=1, le=4)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    description: str | None = Field(default=None, max_length=4000)
    road_name: str | None = Field(default=None, max_length=200)
    responsible_unit: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _position(self) -> IncidentUpdate:
        if (self.lon is None) != (self.lat is None):
            raise ValueError("lon and lat go together")
        return self


class Transition(_Strict):
    """Move an incident to its next status."""

    status: Incident.Status
    responsible_unit: str | None = Field(default=None, max_length=200)
