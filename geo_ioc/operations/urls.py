from django.urls import path

from geo_ioc.operations import api, live

urlpatterns = [
    path("incidents", api.incidents, name="incidents"),
    path("incidents/workflow", api.workflow, name="incident-workflow"),
    path("incidents/<str:incident_id>", api.incident, name="incident"),
    path("incidents/<str:incident_id>/transition", api.transition, name="incident-transition"),
    path("live/events", live.events, name="live-events"),
]
