from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tumbuh.accounts"
    label = "accounts"
    verbose_name = "Accounts"
