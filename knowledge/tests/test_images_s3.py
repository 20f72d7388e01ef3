"""Article images on S3-compatible object storage: a real `moto_server` over HTTP, the
same behaviour as the local folder, and an outage answered with a message."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from knowledge.models import Article, ArticleImage
from knowledge.tests.test_images import PNG, _upload
from testsupport.s3 import S3Bucket

pytestmark = pytest.mark.django_db


def test_an_image_goes_to_the_bucket_is_served_from_it_and_leaves_it(
    editor: User,
    alice: User,
    published: Article,
    s3_bucket: S3Bucket,
    django_capture_on_commit_callbacks,
):
    editor_client = Client()
    editor_client.force_login(editor)
    assert _upload(editor_client, published, PNG, "layar.png").status_code == 302
    image = ArticleImage.objects.get()
    assert s3_bucket.keys() == [image.file.name]
    assert s3_bucket.read(image.file.name) == PNG
    reader = Client()
    reader.force_login(alice)
    response = reader.get(image.get_absolute_url())
    assert response.status_code == 200
    assert response.getvalue() == PNG
    with django_capture_on_commit_callbacks(execute=True):
        deleted = editor_client.post(
            reverse("knowledge_console:image_delete", args=[published.pk, image.pk])
        )
    assert deleted.status_code == 302
    assert s3_bucket.keys() == []


def test_an_upload_while_the_storage_is_down_says_so_and_keeps_nothing(
    editor: User, draft: Article, s3_outage: S3Bucket
):
    client = Client()
    client.force_login(editor)
    s3_outage.stop()
    response = _upload(client, draft, PNG, "layar.png")
    assert response.status_code == 503
    assert "penyimpanan berkas sedang tidak dapat dihubungi" in response.content.decode()
    assert not ArticleImage.objects.exists()
    s3_outage.start()
    assert s3_outage.keys() == []
    assert _upload(client, draft, PNG, "layar.png").status_code == 302
    assert s3_outage.keys() == [ArticleImage.objects.get().file.name]
