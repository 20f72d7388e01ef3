"""What a generated data set looks like, from its report facts: `generate_tickets --stats`.

Shares of escalations, returns and reopens, SLA outcomes by priority, ratings, and the
busiest code-day clusters, to judge whether the stories look like a national helpdesk.
"""

from collections import Counter

from django.db.models import Count, Q

from tickets.models import Rating, TicketFact

INCIDENT_MIN = 10


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def dataset_stats() -> list[str]:
    """Lines of text describing the tickets' facts (every ticket has one)."""
    facts = TicketFact.objects.all()
    total = facts.count()
    if not total:
        return ["no tickets"]
    closed = facts.filter(closed_at__isnull=False)
    counts = facts.aggregate(
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
        tier2=Count("pk", filter=Q(max_tier__gte=2)),
        tier3=Count("pk", filter=Q(max_tier__gte=3)),
        returned=Count("pk", filter=Q(return_count__gt=0)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        rated=Count("pk", filter=Q(rating_stars__isnull=False)),
    )
    rateable = closed.filter(close_reason__in=("confirmed", "force_closed")).count()
    lines = [
        f"tickets {total}, closed {_pct(counts['closed'], total)}",
        f"reached tier 2 {_pct(counts['tier2'], total)}, tier 3 {_pct(counts['tier3'], total)}",
        f"returned {_pct(counts['returned'], total)}, reopened {_pct(counts['reopened'], total)}",
    ]
    for clock in ("response", "resolution"):
        lines.append(f"{clock} clock by priority (met / missed / other states):")
        rows = facts.values("priority", f"{clock}_state").annotate(n=Count("pk")).order_by()
        table: dict[str, Counter[str]] = {}
        for row in rows:
            table.setdefault(row["priority"], Counter())[row[f"{clock}_state"]] += row["n"]
        for priority, states in sorted(table.items()):
            whole = sum(states.values())
            ended = states["met"] + states["missed"]
            others = ", ".join(
                f"{s} {n}" for s, n in sorted(states.items()) if s not in ("met", "missed")
            )
            lines.append(
                f"  {priority:<8} n={whole:<6} met {_pct(states['met'], ended)} of ended,"
                f" missed {_pct(states['missed'], ended)}; {others}"
            )
    stars = Counter(
        dict(
            facts.filter(rating_stars__isnull=False)
            .values_list("rating_stars")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    lines.append(
        f"rated {_pct(counts['rated'], rateable)} of confirmed or force-closed; stars "
        + " ".join(f"{s}:{_pct(stars[s], counts['rated']).strip()}" for s in range(1, 6))
    )
    for state in ("met", "missed"):
        rated = facts.filter(resolution_state=state, rating_stars__isnull=False)
        low = rated.filter(rating_stars__lte=2).count()
        lines.append(f"  resolution {state}: 1-2 stars {_pct(low, rated.count())}")
    comments = Rating.objects.exclude(comment="").count()
    lines.append(f"ratings with a comment {_pct(comments, Rating.objects.count())}")
    clusters = (
        facts.exclude(code="")
        .values("code", "lpse", "created_day")
        .annotate(n=Count("pk"))
        .filter(n__gte=10)
        .order_by("-n")
    )
    sizes = [row["n"] for row in clusters]
    lines.append(
        f"code-day clusters of 10+ tickets in one LPSE: {len(sizes)}"
        + (f" (largest {sizes[:5]})" if sizes else "")
    )
    # Tender incidents (tickets/synthetic/incidents.py): one code's tickets in one LPSE.
    incidents = list(
        facts.exclude(code="")
        .values("code", "lpse")
        .annotate(n=Count("pk"), providers=Count("pk", filter=Q(reporter_role="pelaku_usaha")))
        .filter(n__gte=INCIDENT_MIN)
        .order_by("-n")
        .values_list("n", "providers")
    )
    in_incidents = sum(n for n, _p in incidents)
    providers = sum(p for _n, p in incidents)
    lines.append(
        f"codes with {INCIDENT_MIN}+ tickets in one LPSE: {len(incidents)}"
        + (
            f" (largest {[n for n, _p in incidents[:5]]}; {_pct(in_incidents, total).strip()}"
            f" of tickets, Pelaku Usaha {_pct(providers, in_incidents).strip()})"
            if incidents
            else ""
        )
    )
    return lines
