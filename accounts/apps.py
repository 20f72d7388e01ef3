from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        # Registers the hand-off key checks (accounts.E001...).
        # Importing connects the audit log's receivers for sign-in signals.
        from accounts import (
            audit,
            checks,  # noqa: F401
        )

        audit.connect_axes_signals()
