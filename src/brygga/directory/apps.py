from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "brygga.directory"
    label = "directory"
    verbose_name = "Katalog (EK)"
