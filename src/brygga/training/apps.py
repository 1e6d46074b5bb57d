from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "brygga.training"
    label = "training"
    verbose_name = "Utbildningsmiljö"
