from django.apps import AppConfig


class ReserveConfig(AppConfig):
    name = "brygga.reserve"
    label = "reserve"
    verbose_name = "Reservrutin"
