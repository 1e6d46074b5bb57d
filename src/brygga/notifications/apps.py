from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "brygga.notifications"
    label = "notifications"
    verbose_name = "E-post och bakgrundsarbete"
