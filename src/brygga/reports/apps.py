from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "brygga.reports"
    label = "reports"
    verbose_name = "Uppföljning"
