"""Jobs of the layers app: exports, HTTP imports and the removal of expired export files."""

from __future__ import annotations

from geo_ioc.core import jobs
from layers.exports import jobs as export_jobs
from layers.uploads import services as uploads


@jobs.task(name="layers.export", queue="exports")
def export(run: jobs.Run, job_id: str) -> str:
    """Write the file of export job `job_id` (its row holds the request and the progress)."""
    return str(export_jobs.run(job_id, run=run).status)


@jobs.task(name="layers.import", queue="imports")
def import_upload(run: jobs.Run, job_id: str) -> str:
    """Import the uploaded file of import job `job_id` in one transaction."""
    return str(uploads.run(job_id, run=run).status)


@jobs.periodic(name="layers.cleanup_exports", seconds=3600)
def cleanup_exports() -> int:
    """Delete export files (and their job rows) older than GEO_IOC_EXPORT_KEEP_HOURS."""
    return export_jobs.cleanup_expired()
