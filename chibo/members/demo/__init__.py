"""Synthetic, deterministic demo data for a realistic Ho Chi Minh City.

``generate.build_plan(members=N, seed=S, as_of=day)`` is a pure function of
its arguments (no database): the org tree, the members and their event logs.
``writer.write_plan`` loads a plan with raw ``executemany`` (SQLite) or
``COPY`` (PostgreSQL) in one transaction. The commands ``seed-demo``,
``demo-status`` and ``demo-logins`` sit on top.
"""
