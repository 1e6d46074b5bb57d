from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "brygga.administration"
    label = "administration"
    verbose_name = "Beställningar och behörigheter"
