"""The load benchmark's synthetic help articles (lib/synthetic_articles.py)."""

import random

import pytest

from lib.synthetic_articles import Topic, synthetic_articles

TOPICS = (
    Topic(
        "SPSE",
        "Sistem Pengadaan Secara Elektronik",
        "Penawaran",
        "Gagal upload dokumen penawaran",
        ("gagal upload file rhs", "upload penawaran error mulu"),
        weight=5.0,
    ),
    Topic("SPSE", "Sistem Pengadaan Secara Elektronik", "Penawaran", "Gagal kirim penawaran"),
    Topic("SIRUP", "Sistem Informasi Rencana Umum Pengadaan", "RUP", "Revisi RUP"),
    Topic("EPROC", "Portal eProc", "", "Informasi / pencarian paket"),
)


def test_the_same_seed_writes_the_same_articles() -> None:
    first = synthetic_articles(random.Random(4), TOPICS, 50)
    assert first == synthetic_articles(random.Random(4), TOPICS, 50)
    assert first != synthetic_articles(random.Random(5), TOPICS, 50)


def test_articles_are_about_their_applications_categories_and_fit_the_fields() -> None:
    written = synthetic_articles(random.Random(1), TOPICS, 400)
    assert len(written) == 400
    paths = {(topic.application, topic.path) for topic in TOPICS}
    general = [article for article in written if article.application is None]
    # A few general guides (about no application), the rest about a topic.
    assert 0 < len(general) < 60
    for article in written:
        assert article.title and len(article.title) <= 200
        assert article.summary and len(article.summary) <= 500
        assert "## " in article.body
        if article.application is None:
            assert article.categories == ()
            continue
        assert article.categories
        assert {(article.application, path) for path in article.categories} <= paths
    # Weighted: the heavy topic gets most of the articles; a second category sometimes.
    upload = [
        a for a in written if a.categories[:1] == ("Penawaran › Gagal upload dokumen penawaran",)
    ]
    assert len(upload) > len(written) / 3
    assert any(len(article.categories) == 2 for article in written)
    # The symptoms reporters wrote are quoted in their topic's articles.
    assert any("gagal upload file rhs" in article.body for article in upload)
    # Many distinct titles, not one per topic.
    assert len({article.title for article in written}) > 100


def test_a_top_level_leaf_has_no_parent_in_its_path() -> None:
    assert TOPICS[3].path == "Informasi / pencarian paket"
    assert TOPICS[0].path == "Penawaran › Gagal upload dokumen penawaran"


def test_no_topic_is_refused() -> None:
    with pytest.raises(ValueError, match="no topic"):
        synthetic_articles(random.Random(1), (), 10)
