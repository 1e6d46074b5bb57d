from django.apps import AppConfig


class DirectorySyncConfig(AppConfig):
    name = "brygga.directory_sync"
    label = "directory_sync"
    verbose_name = "Katalogsynkronisering (HSA/EK)"
