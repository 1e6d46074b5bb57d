from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "brygga.fhir"
    label = "fhir"
    verbose_name = "FHIR-API"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (logs issued tokens in the access log)
