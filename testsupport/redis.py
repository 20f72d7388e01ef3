"""pytest plugin: a real redis-server on loopback, and the settings that use it.

    def test_it_shares(redis_cache: RedisServer, ...):
        ...                     # CACHES is FailSoftRedisCache on this server,
        redis_cache.stop()      # SESSION_ENGINE is cached_db, as with REDIS_URL set
        redis_cache.start()     # same port, empty (no persistence)

`redis_server` starts `redis-server` alone (no settings changed). Both skip with the
reason when redis-server is not installed (scripts/system-deps.sh redis installs it).
The server is stopped and its directory removed after the test, even on failure.
"""

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import LazySettings

from lib.ports import free_port

START_TIMEOUT_SECONDS = 30.0


class RedisServer:
    """One redis-server process on 127.0.0.1:`port`; stop and start it to play an outage."""

    def __init__(self, executable: str, port: int, directory: Path) -> None:
        self.executable = executable
        self.port = port
        self.directory = directory
        self.url = f"redis://127.0.0.1:{port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self._process is None, "already running"
        # fmt: off
        command = [
            self.executable,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "no",
        ]
        # fmt: on
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.answers():
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"redis-server on port {self.port} exited at start")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not answer PING")
            time.sleep(0.02)  # polling for the condition, bounded by the deadline

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=START_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def client(self) -> redis.Redis:
        """A plain client of this server (to look at what the app stored)."""
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)


def redis_cache_settings(url: str) -> dict[str, object]:
    """CACHES as lpse_support/settings.py builds it when REDIS_URL is `url`."""
    return {
        "default": {
            "BACKEND": "lpse_support.cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "lpse-support-test",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A running redis-server on a free loopback port, in its own temporary directory."""
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed (scripts/system-deps.sh redis)")
    with tempfile.TemporaryDirectory(prefix="lpse-redis-") as directory:
        server = RedisServer(executable, free_port(), Path(directory))
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def redis_cache(redis_server: RedisServer, settings: LazySettings) -> RedisServer:
    """The settings of REDIS_URL pointed at `redis_server`: shared cache, cached_db sessions."""
    settings.CACHES = redis_cache_settings(redis_server.url)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return redis_server
