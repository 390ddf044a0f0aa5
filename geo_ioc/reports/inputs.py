"""Reading request bodies into typed inputs: JSON or a form (with photos), errors by field."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from pydantic import BaseModel, ValidationError

from geo_ioc.reports.errors import InvalidReport
from geo_ioc.reports.photos import MAX_PHOTOS

CONTACT = ("name", "phone", "email", "device_id")


def raw_body(request: HttpRequest) -> dict[str, Any]:
    """The body as a dict: JSON, or form fields (contact fields gathered under `contact`)."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except json.JSONDecodeError as exc:
            raise InvalidReport(f"The body is not valid JSON: {exc.msg}.") from None
        if not isinstance(data, dict):
            raise InvalidReport("The body must be a JSON object.")
        return data
    form: dict[str, Any] = {k: v for k, v in request.POST.items() if v != ""}
    contact = {k: form.pop(k) for k in CONTACT if k in form}
    if contact:
        form["contact"] = contact
    return form


def validate[M: BaseModel](model: type[M], raw: dict[str, Any]) -> M:
    """The input as a typed model; the first error names its field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidReport(f"{field or 'body'}: {first['msg']}", field=field) from None


def photos(request: HttpRequest, name: str = "photo") -> list[bytes]:
    """Uploaded photos (at most three), as bytes."""
    files = request.FILES.getlist(name)
    if len(files) > MAX_PHOTOS:
        raise InvalidReport(f"At most {MAX_PHOTOS} photos.", field=name)
    return [f.read() for f in files]
