"""URLs of the socio-economic indicators."""

from django.urls import path

from geo_ioc.socioeconomic import api

urlpatterns = [
    path("socioeconomic/indicators", api.indicators, name="se-indicators"),
    path("socioeconomic/analytics", api.analytics_view, name="se-analytics"),
    path("socioeconomic/values", api.post_values, name="se-values"),
    path("socioeconomic/uploads", api.post_upload, name="se-uploads"),
    path("socioeconomic/forecast", api.forecast_view, name="se-forecast"),
    path("socioeconomic/reporting", api.reporting_view, name="se-reporting"),
    path("socioeconomic/form", api.form_view, name="se-form"),
    path("socioeconomic/export/qcvn125.json", api.qcvn125, name="se-qcvn125"),
]
