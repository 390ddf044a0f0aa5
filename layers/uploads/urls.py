from django.urls import re_path

from layers.uploads import api

urlpatterns = [
    re_path(r"^imports/?$", api.create_job, name="import-jobs"),
    re_path(r"^imports/(?P<job_id>[^/]+)/?$", api.job_status, name="import-job"),
]
