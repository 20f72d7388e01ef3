from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Pusat Bantuan"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from knowledge.categories import model_freshness
        from knowledge.models import Article, CategoryModel
        from knowledge.suggest import articles_freshness

        # What each process keeps for Buat Tiket's suggestions is read again after these.
        for model, freshness in ((Article, articles_freshness), (CategoryModel, model_freshness)):
            post_save.connect(freshness.changed, sender=model, dispatch_uid=f"kept-{model}")
            post_delete.connect(freshness.changed, sender=model, dispatch_uid=f"kept-del-{model}")
        m2m_changed.connect(
            articles_freshness.changed,
            sender=Article.applications.through,
            dispatch_uid="kept-article-applications",
        )
