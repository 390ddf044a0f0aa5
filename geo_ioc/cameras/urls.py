"""URLs of the cameras API."""

from django.urls import path

from geo_ioc.cameras import api

urlpatterns = [
    path("cameras", api.cameras, name="cameras"),
    path("cameras/heartbeats", api.heartbeats, name="camera-heartbeats"),
    path("cameras/coverage/report", api.coverage_report, name="camera-coverage-report"),
    path("cameras/uptime", api.uptime, name="camera-uptime"),
    path("cameras/wall", api.wall, name="camera-wall"),
    path("cameras/anpr", api.anpr_events, name="camera-anpr"),
    path("cameras/registry/export", api.registry_export, name="camera-registry-export"),
    path("cameras/registry/import", api.registry_import, name="camera-registry-import"),
    path("cameras/<str:code>", api.camera, name="camera"),
    path("cameras/<str:code>/frames", api.upload_frame, name="camera-frames"),
    path("cameras/<str:code>/snapshot", api.snapshot, name="camera-snapshot"),
    path("cameras/<str:code>/metrics", api.metrics, name="camera-metrics"),
]
