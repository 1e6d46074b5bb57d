from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "brygga.payments"
    label = "payments"
    verbose_name = "Betalningsansvar och fakturering"
