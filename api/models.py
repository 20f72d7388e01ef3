"""Shared state of the API: its rate-limit counters."""

from django.db import models


class RateCounter(models.Model):
    """Requests of one user (or one client address) in the current fixed window.

    One row per key, bumped by a single INSERT … ON CONFLICT DO UPDATE (api/ratelimit.py),
    so concurrent requests in any number of processes count exactly. Rows whose window
    has passed are deleted as new windows begin.
    """

    key = models.CharField(max_length=80, primary_key=True)
    window_start = models.BigIntegerField()
    expires = models.BigIntegerField(db_index=True)
    hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
