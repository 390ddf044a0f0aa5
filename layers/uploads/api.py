"""`POST /imports` (a file into a layer, by a worker) and `GET /imports/{id}`: admins only."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from geo_ioc.core.errors import InvalidParameter, NotAuthenticated, NotFound, PermissionDenied
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.roles import Role, user_roles
from layers.jobs import ImportJob
from layers.uploads import services


def _admin(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated("Imports need an admin's account: send your API token.")
    if Role.ADMIN not in user_roles(request.user):
        raise PermissionDenied("Only admins import layers.")


def _body(request: HttpRequest, job: ImportJob) -> dict:
    body = job.summary()
    url = request.build_absolute_uri(reverse("import-job", kwargs={"job_id": str(job.pk)}))
    body["links"] = [{"href": url, "rel": "self", "type": "application/json"}]
    return body


@allow("POST")
def create_job(request: HttpRequest) -> JsonResponse:
    """`POST /imports` multipart: `file`, `layer`, `mode`, `invalid`, `access`.

    `mode` is create|replace|append, `access` public|staff|restricted (a new layer is staff
    unless given; the finished job says how to publish it).
    """
    _admin(request)
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidParameter("Send the file as the multipart field `file`.", field="file")
    user = request.user if isinstance(request.user, User) else None
    job = services.accept(user, upload, upload.name or "", request.POST.dict())
    response = json_response(_body(request, job), status=202)
    response["Location"] = _body(request, job)["links"][0]["href"]
    return response


@allow("GET")
def job_status(request: HttpRequest, job_id: str) -> JsonResponse:
    """`GET /imports/{id}`: status, row counts, and every refused row when it failed."""
    _admin(request)
    try:
        job = ImportJob.objects.filter(pk=uuid.UUID(job_id)).first()
    except ValueError:
        job = None
    if job is None:
        raise NotFound(f"No import job {job_id!r}.", field="id")
    return json_response(_body(request, job))
