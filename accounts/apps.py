from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        # Registers the hand-off key checks (accounts.E001...).
        from accounts import checks  # noqa: F401
