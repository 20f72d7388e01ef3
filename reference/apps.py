from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "reference"
    verbose_name = "Data referensi"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from reference.book import BOOK_MODELS, reference_changed

        for model in BOOK_MODELS:
            post_save.connect(reference_changed, sender=model, dispatch_uid=f"book-{model}")
            post_delete.connect(reference_changed, sender=model, dispatch_uid=f"book-del-{model}")
