"""Errors of the land API, each with its status and stable code."""

from __future__ import annotations

from geo_ioc.core.errors import ApiError, InvalidParameter, NotFound


class InvalidParcelNumber(InvalidParameter):
    code = "invalid_parcel_number"
    default_message = "Ward, sheet and parcel numbers are required; sheet and parcel are 1 or more."


class InvalidCoordinates(InvalidParameter):
    code = "invalid_coordinates"
    default_message = "lon and lat must be decimal degrees (WGS 84)."


class InvalidArea(InvalidParameter):
    code = "invalid_area"
    default_message = "Give bbox=minLon,minLat,maxLon,maxLat or polygon=<WKT in EPSG:4326>."


class OutsideProvince(ApiError):
    status = 422
    code = "outside_province"
    default_message = "The point is outside the province; parcels are only kept inside it."


class UnknownWard(NotFound):
    code = "unknown_ward"
    default_message = "No parcels are registered in this ward."


class ParcelNotFound(NotFound):
    code = "parcel_not_found"
    default_message = "No such parcel."


class InvalidParcelData(ApiError):
    code = "invalid_parcel_data"
    default_message = "The parcel data is not valid."
