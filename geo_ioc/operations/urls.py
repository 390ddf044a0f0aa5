from django.urls import path

from geo_ioc.operations import alerts_api, api

urlpatterns = [
    path("incidents", api.incidents, name="incidents"),
    path("incidents/workflow", api.workflow, name="incident-workflow"),
    path("incidents/<str:incident_id>", api.incident, name="incident"),
    path("incidents/<str:incident_id>/transition", api.transition, name="incident-transition"),
    path("alerts", alerts_api.alerts, name="alerts"),
    path("alerts.cap", alerts_api.alerts_cap, name="alerts-cap"),
    path("alerts/<str:alert_id>.cap", alerts_api.alert_cap, name="alert-cap"),
    path("alerts/<str:alert_id>", alerts_api.alert, name="alert"),
    path("alerts/<str:alert_id>/acknowledge", alerts_api.acknowledge, name="alert-acknowledge"),
    path("alerts/<str:alert_id>/resolve", alerts_api.resolve_alert, name="alert-resolve"),
]
