"""A realistic synthetic data set: tickets with their whole history, written in bulk.

Each ticket gets messages (about five), events, attachment rows (no files are written),
a rating for about half of the confirmed or force-closed ones, and its SLA columns.
Tickets spread over applications, categories, LPSE instances and the period (`days`
before `end`), most of them closed; the open ones are recent. A few tender incidents a
month gather many tickets about one tender in one LPSE (`incidents.py`).

The history follows no rules of its own. A ticket's story is a random walk through the
lifecycle: from the current status, one of the actions that `TRANSITIONS` allows (and
the access rules leave to somebody) is drawn by how often people take it (`HABITS`), up
to the closing action drawn first; a ticket still open at `end` has the beginning of
such a story, cut where it is at an open status drawn first. The status follows from
`target_status`, the event kind from the lifecycle's `EVENT_OF_ACTION`, the pauses and
the first response from `tickets.ticket_sla.clock_after_action`, and the SLA columns
from `sla.clocks.sla_columns` as of `end` (as if the sweep had run all along).
`tickets/tests/test_synthetic_consistency.py` replays it.

Determinism: ticket i draws everything from its own `random.Random(seed, i)`, so the
content does not depend on the batch size. Database ids and the numbers' daily
sequence values depend on what the database already holds.

Safe to run again and next to real data:
- numbers are real `<APP>-<YYYYMMDD>-<NNNNN>` numbers taken from `TicketSequence`
  (the same per application and day counter the app uses, moved forward under a row
  lock), so they never collide with real tickets, and tickets filed later continue
  after them;
- the generated reporters are marked by their SSO identity: user id `syn<seed>-<n>`; a
  seed whose tickets exist already is refused (use another seed to add more data);
- ids are reserved from the tables' sequences per batch.

Rows are written per batch in one transaction each: by `COPY` on PostgreSQL, by
`executemany` elsewhere (SQLite, tests).
"""

from tickets.synthetic.bulk import SyntheticError, SyntheticRun

__all__ = ["SyntheticError", "SyntheticRun"]
