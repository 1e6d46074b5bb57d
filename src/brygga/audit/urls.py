from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("loggutdrag/", views.access_log_search, name="search"),
    path("loggutdrag/<int:patient_id>/", views.access_log_extract, name="extract"),
]
