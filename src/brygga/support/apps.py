from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "brygga.support"
    label = "support"
    verbose_name = "Stöd, manualer, förslag och driftinformation"
