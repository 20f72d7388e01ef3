"""The shared cache on a real redis-server (REDIS_URL, issue 16): shared between
processes, and a Redis that is down costs a cache miss, never a 500."""

import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from accounts.models import User
from lpse_support import cache as shared_cache
from testsupport.redis import RedisServer, redis_cache_settings
from testsupport.smtp import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_outage_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_cache, "outage_log", shared_cache._OutageLog())


def test_two_processes_share_one_cache(redis_cache: RedisServer) -> None:
    # Given a value written by one process's cache client
    cache.set("gedung", "Gedung LKPP", 30)
    # When another process (its own client and connection pool) reads it
    other = shared_cache.FailSoftRedisCache(redis_cache.url, {"KEY_PREFIX": "lpse-support-test"})
    # Then it sees the same value, stored under the key prefix
    assert other.get("gedung") == "Gedung LKPP"
    assert redis_cache.client().exists("lpse-support-test:1:gedung") == 1


def test_a_stopped_redis_answers_as_an_empty_cache(
    redis_cache: RedisServer, fresh_outage_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    # Given values in the cache, then Redis stops
    cache.set("kunci", "nilai", 30)
    redis_cache.stop()
    # When the app uses the cache, every kind of call
    shared = caches["default"]
    assert isinstance(shared, shared_cache.FailSoftRedisCache)
    with caplog.at_level(logging.WARNING, logger="lpse_support.cache"):
        answers = {
            "get": cache.get("kunci", "bawaan"),
            "get_many": cache.get_many(["kunci", "lain"]),
            "has_key": cache.has_key("kunci"),
            "add": cache.add("baru", 1),
            "set_many": cache.set_many({"a": 1, "b": 2}),
            "touch": cache.touch("kunci"),
            "delete": cache.delete("kunci"),
            "get_or_set": cache.get_or_set("dihitung", lambda: 42),
            "count_in_window": shared.count_in_window("hitung", seconds=60),
        }
        shared.set("kunci", "lagi")
        shared.delete_many(["a", "b"])
        shared.clear()
        with pytest.raises(ValueError, match="not found"):
            cache.incr("kunci")
    # Then each answers what an empty cache answers, and nothing raises a Redis error
    assert answers == {
        "get": "bawaan",
        "get_many": {},
        "has_key": False,
        "add": False,
        "set_many": ["a", "b"],
        "touch": False,
        "delete": False,
        "get_or_set": 42,
        "count_in_window": None,
    }
    # And the outage is logged once, not once per call
    warnings = [r for r in caplog.records if r.name == "lpse_support.cache"]
    assert len(warnings) == 1
    assert "Redis unusable" in warnings[0].getMessage()


def test_a_server_that_is_not_redis_answers_as_an_empty_cache(
    smtp_port: int, settings, fresh_outage_log: None
) -> None:
    # Given REDIS_URL names a port where another kind of server answers (here SMTP)
    sink = SmtpSink()
    sink.start(smtp_port)
    try:
        settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{smtp_port}/0")
        # When the app uses the cache, then it gets misses, not errors
        cache.set("kunci", "nilai")
        assert cache.get("kunci", "bawaan") == "bawaan"
    finally:
        sink.stop()


def test_the_cache_works_again_at_once_after_redis_restarts(redis_cache: RedisServer) -> None:
    # Given a process whose pooled connection was in use before Redis restarted
    cache.set("sebelum", 1, 30)
    redis_cache.stop()
    redis_cache.start()
    # When it uses the cache again: the first call already succeeds (the dead pooled
    # connection is replaced), and the restarted Redis is empty
    assert cache.get("sebelum") is None
    cache.set("sesudah", 2, 30)
    assert cache.get("sesudah") == 2


def test_readyz_reports_a_stopped_redis_as_degraded_with_200(
    client: Client, redis_cache: RedisServer
) -> None:
    # Given Redis answers: the cache check is ok
    response = client.get("/readyz")
    assert (response.status_code, response.json()["checks"]["cache"]["status"]) == (200, "ok")
    # When Redis stops
    redis_cache.stop()
    response = client.get("/readyz")
    # Then readiness is degraded, but the server stays in the proxy (200)
    body = response.json()
    assert (response.status_code, body["status"], body["checks"]["cache"]["status"]) == (
        200,
        "degraded",
        "degraded",
    )
    assert body["checks"]["database"]["status"] == "ok"


def test_a_signed_in_session_survives_a_redis_restart(
    redis_cache: RedisServer, agent: User
) -> None:
    # Given an agent signed in on /masuk/ with sessions cached in Redis
    client = Client()
    response = client.post(
        reverse("accounts:staff_login"), {"username": agent.username, "password": "demo1234"}
    )
    assert response.status_code == 302
    session_key = client.cookies["lpsesupport_session"].value
    assert redis_cache.client().keys(f"*{session_key}")
    assert client.get("/konsol/").status_code == 200
    # When Redis stops
    redis_cache.stop()
    # Then the console still opens for her, signed in (the session is in the database)
    response = client.get("/konsol/")
    assert response.status_code == 200
    assert response.wsgi_request.user == agent
    # And when Redis is back, empty, she is still signed in and her session is cached again
    redis_cache.start()
    response = client.get("/konsol/")
    assert response.status_code == 200
    assert response.wsgi_request.user == agent
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert redis_cache.client().keys(f"*{session_key}")
