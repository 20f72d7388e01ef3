from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Akun"

    def ready(self) -> None:
        # Importing connects the audit log's receivers for sign-in signals.
        from accounts import audit

        audit.connect_axes_signals()
