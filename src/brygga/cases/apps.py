from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "brygga.cases"
    label = "cases"
    verbose_name = "Ärenden"
