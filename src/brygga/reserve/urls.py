from django.urls import path

from . import views

app_name = "reserve"
urlpatterns = [
    path("halsa/", views.live, name="live"),
    path("halsa/redo/", views.ready, name="ready"),
    path("reserv/beredskapslistor/", views.contingency_lists, name="contingency_lists"),
    path(
        "reserv/beredskapslistor/<int:list_id>/",
        views.contingency_download,
        name="contingency_download",
    ),
    path("reserv/arenden/<int:case_id>/blanketter/", views.case_forms, name="case_forms"),
    path(
        "reserv/arenden/<int:case_id>/blanketter/<slug:slug>.pdf",
        views.case_form_pdf,
        name="case_form_pdf",
    ),
    path("reserv/arenden/<int:case_id>/extern/", views.external_add, name="external_add"),
    path(
        "reserv/arenden/<int:case_id>/extern/<int:recipient_id>/<int:event_id>.pdf",
        views.external_pdf,
        name="external_pdf",
    ),
    path(
        "reserv/arenden/<int:case_id>/extern/<int:recipient_id>/<int:event_id>/skickat/",
        views.external_dispatch,
        name="external_dispatch",
    ),
]
