"""Local simulator of SPSE, SiRUP and Inaproc: the outside world of LPSE Support.

A small Django project without a database, run with ``python -m simulator``. It lets a
developer (and the browser tests) sign in as a demo SPSE/SiRUP user and be handed over
to LPSE Support exactly as the real applications do: an auto-posted signed JWT.
"""
