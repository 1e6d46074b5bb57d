from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "brygga.audit"
    label = "audit"
    verbose_name = "Åtkomstlogg"
