from django.urls import path, re_path

from geo_ioc.reports import api, open311, pages, staff

urlpatterns = [
    # Public pages (Vietnamese first) and the public API.
    path("phan-anh", pages.report_page, name="report-page"),
    path("phan-anh/<str:code>", pages.track_page, name="report-track"),
    path("phan-anh/<str:code>/unsubscribe", pages.unsubscribe_page, name="report-unsubscribe"),
    path("reports/desk", pages.desk_page, name="report-desk"),
    path("reports", api.create, name="reports-create"),
    path("reports/categories", api.categories, name="reports-categories"),
    path("reports/nearby", api.nearby, name="reports-nearby"),
    path("reports/photo-location", api.photo_location, name="reports-photo-location"),
    path("reports/indicators", api.indicators, name="reports-indicators"),
    path("reports/areas/overdue", api.overdue_areas, name="reports-overdue-areas"),
    path("reports/photos/<int:photo_id>.jpg", api.photo, name="reports-photo"),
    path(
        "reports/photos/<int:photo_id>/thumb.jpg",
        api.photo,
        {"size": "thumb"},
        name="reports-thumb",
    ),
    path("reports/public/<str:code>", api.public_report, name="reports-public"),
    path("reports/public/<str:code>/follow", api.follow, name="reports-follow"),
    path("reports/public/<str:code>/reopen", api.reopen, name="reports-reopen"),
    # Staff: the desk, hotline intake, workflow.
    path("reports/staff", staff.reports, name="reports-staff"),
    path("reports/staff/hotline", staff.hotline, name="reports-hotline"),
    path("reports/staff/units", staff.units, name="reports-units"),
    path("reports/staff/<str:code>", staff.report, name="reports-staff-one"),
    path("reports/staff/<str:code>/step", staff.step, name="reports-step"),
    path("reports/staff/<str:code>/incident", staff.incident, name="reports-incident"),
    path("reports/staff/<str:code>/follow", staff.caller_follows, name="reports-caller-follows"),
    # Open311 GeoReport v2.
    re_path(r"^open311/discovery\.(?P<fmt>\w+)$", open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services\.(?P<fmt>\w+)$", open311.services_list, name="open311-services"),
    re_path(
        r"^open311/v2/services/(?P<code>[\w-]+)\.(?P<fmt>\w+)$",
        open311.service_definition,
        name="open311-service",
    ),
    re_path(r"^open311/v2/requests\.(?P<fmt>\w+)$", open311.requests_, name="open311-requests"),
    re_path(
        r"^open311/v2/requests/(?P<code>[\w-]+)\.(?P<fmt>\w+)$",
        open311.request_one,
        name="open311-request",
    ),
]
