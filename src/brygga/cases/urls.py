from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("sok/", views.search, name="search"),
    path("nytt/", views.open_case, name="open"),
    path("ny-sip/", views.open_case, name="open_sip"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/kvittera/", views.acknowledge, name="acknowledge"),
    path(
        "<int:case_id>/patientinformation/", views.patient_information, name="patient_information"
    ),
    path("<int:case_id>/handelse/<int:event_id>/makulera/", views.retract, name="retract"),
    path("<int:case_id>/<slug:slug>/", views.record_event, name="event"),
]
