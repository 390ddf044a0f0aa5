"""HTTP endpoints of exports: a direct download, and jobs for large or multi-layer exports."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, cast

from django.core.handlers.asgi import ASGIRequest
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse

from geo_ioc.core.errors import Conflict, InvalidParameter, NotAuthenticated, NotFound
from geo_ioc.core.http import allow, json_response
from geo_ioc.core.inputs import json_body
from geo_ioc.core.roles import Role, user_roles
from layers.exports import jobs, services
from layers.jobs import ExportJob

BLOCK = 256 * 1024


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    with fh:
        while block := fh.read(BLOCK):
            yield block


async def _achunks(fh: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while block := await asyncio.to_thread(fh.read, BLOCK):
            yield block
    finally:
        fh.close()


def _stream(request: HttpRequest, path: Path, name: str, media_type: str) -> StreamingHttpResponse:
    """Stream a file in blocks (asynchronously under ASGI, so nothing is held in memory)."""
    size = path.stat().st_size
    fh = path.open("rb")
    body = _achunks(fh) if isinstance(request, ASGIRequest) else _chunks(fh)
    response = StreamingHttpResponse(body, content_type=media_type)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@allow("GET")
def export(request: HttpRequest, layer: str) -> HttpResponse:
    """`GET /export/{layer}?format=…&crs=…&bbox=…&filter=…`: the file, streamed."""
    export_request = services.parse_request(layer, request.GET.dict())
    path, workdir = services.export_now(request.user, export_request)
    response = _stream(
        request, path, services.download_name(export_request), export_request.format.media_type
    )
    # The open handle keeps the file readable: the scratch folder can go now.
    shutil.rmtree(workdir, ignore_errors=True)
    response["Content-Crs"] = export_request.crs.header()
    return cast(HttpResponse, response)  # `allow` is typed for HttpResponse; streaming is fine


def _job_body(request: HttpRequest, job: ExportJob) -> dict:
    body = job.summary()
    status_url = request.build_absolute_uri(reverse("export-job", kwargs={"job_id": str(job.id)}))
    body["links"] = [{"href": status_url, "rel": "self", "type": "application/json"}]
    if job.status == ExportJob.Status.DONE:
        body["links"].append(
            {
                "href": request.build_absolute_uri(
                    reverse("export-job-file", kwargs={"job_id": str(job.id)})
                ),
                "rel": "enclosure",
                "type": services.FORMATS[services.FormatName(job.format)].media_type,
                "title": job.file_name,
            }
        )
    return body


def _own_job(request: HttpRequest, job_id: str) -> ExportJob:
    """The job, if it exists and the caller started it (admins see all)."""
    job = ExportJob.objects.filter(pk=job_id).first() if _is_uuid(job_id) else None
    user = request.user
    if job is None or not (
        Role.ADMIN in user_roles(user) or (job.user_id is not None and job.user_id == user.pk)
    ):
        raise NotFound(f"No export job {job_id!r}.", field="id")
    return jobs.refresh_stale(job)


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@allow("POST")
def create_job(request: HttpRequest) -> JsonResponse:
    """`POST /exports` `{"layers": [...], "format", "crs", "bbox", "filter", …}`: a job (202)."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Export jobs need an account: send your API token.")
    jobs.check_quota(request.user)
    body = json_body(request.body, default={}, error=InvalidParameter)
    if not isinstance(body, dict) or not body.get("layers") and not body.get("layer"):
        raise InvalidParameter('Give "layers": ["roads", …] in a JSON object.', field="layers")
    layers = body.pop("layers", None) or body.pop("layer")
    export_request = services.parse_request(layers, body)
    with transaction.atomic():  # the row and its queue job together, or neither
        job = jobs.start(jobs.create(request.user, export_request))
    response = json_response(_job_body(request, job), status=202)
    response["Location"] = _job_body(request, job)["links"][0]["href"]
    return response


@allow("GET")
def job_status(request: HttpRequest, job_id: str) -> JsonResponse:
    """`GET /exports/{id}`: status, progress, and a link to the file when it is ready."""
    return json_response(_job_body(request, _own_job(request, job_id)))


@allow("POST")
def cancel_job(request: HttpRequest, job_id: str) -> JsonResponse:
    """`POST /exports/{id}/cancel`: stop a queued or running job (its owner or an admin)."""
    return json_response(_job_body(request, jobs.cancel(_own_job(request, job_id))))


@allow("GET")
def job_file(request: HttpRequest, job_id: str) -> HttpResponse:
    """`GET /exports/{id}/file`: the finished file."""
    job = _own_job(request, job_id)
    if job.status != ExportJob.Status.DONE:
        raise Conflict(f"Export job {job_id} is {job.status}, not done.")
    path = Path(job.file_path)
    if not path.is_file():
        raise NotFound("The file of this export has expired; start it again.")
    media_type = services.FORMATS[services.FormatName(job.format)].media_type
    return cast(HttpResponse, _stream(request, path, job.file_name, media_type))
