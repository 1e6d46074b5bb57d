from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "brygga.accounts"
    label = "accounts"
    verbose_name = "Inloggning"
