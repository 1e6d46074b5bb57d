from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.indicators, name="indicators"),
    path("utskrivningsklara.csv", views.indicators_export, name="indicators_csv"),
    path("tidsfrister/", views.deadlines, name="deadlines"),
    path("tidsfrister.csv", views.deadlines_export, name="deadlines_csv"),
]
