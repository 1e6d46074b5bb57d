from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "brygga.patients"
    label = "patients"
    verbose_name = "Patienter"
