"""Reports for supervisors (issue 17): volumes, backlog age, SLA, escalation, satisfaction,
top categories and codes, staff; their exports and the public statistics page.

The numbers come from the per-ticket fact rows that the ticket services keep
(`tickets.facts`); this app only reads them, within the scope `tickets.access` gives.
"""
