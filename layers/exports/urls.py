from django.urls import re_path

from layers.exports import api

urlpatterns = [
    re_path(r"^export/(?P<layer>[^/]+)/?$", api.export, name="export"),
    re_path(r"^exports/?$", api.create_job, name="export-jobs"),
    re_path(r"^exports/(?P<job_id>[^/]+)/?$", api.job_status, name="export-job"),
    re_path(r"^exports/(?P<job_id>[^/]+)/file/?$", api.job_file, name="export-job-file"),
    re_path(r"^exports/(?P<job_id>[^/]+)/cancel/?$", api.cancel_job, name="export-job-cancel"),
]
