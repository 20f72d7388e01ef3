"""Background tasks (Django's tasks API, `django-tasks` with its database backend)."""

from django_tasks import task

from notifications.mail import mail_deliver


@task()
def deliver_mail(mail_id: int) -> str:
    """Deliver one e-mail; a temporary failure enqueues a later attempt by itself."""
    return mail_deliver(mail_id=mail_id).outcome
