from django.urls import include, path

from brygga.accounts.views import home

urlpatterns = [
    path("", home, name="home"),
    path("konto/", include("brygga.accounts.urls")),
    path("arenden/", include("brygga.cases.urls")),
    path("katalog/", include("brygga.directory.urls")),
    path("logg/", include("brygga.audit.urls")),
    path("betalningsansvar/", include("brygga.payments.urls")),
    path("uppfoljning/", include("brygga.reports.urls")),
    path("administration/", include("brygga.administration.urls")),
    path("stod/", include("brygga.support.urls")),
    path("utbildning/", include("brygga.training.urls")),
    path("fhir/", include("brygga.fhir.urls")),
    path("katalogsynk/", include("brygga.directory_sync.urls")),
    path("", include("brygga.reserve.urls")),
]

handler403 = "brygga.core.views.forbidden"
handler404 = "brygga.core.views.not_found"
handler500 = "brygga.core.views.server_error"
