"""The demo town 青山镇 (QS): a year of believable patrol history for trying Gridwatch.

`seed_demo()` runs in one transaction and draws every choice from `random.Random(2026)`, so a
given day always yields the same town. Premises and visits without findings are bulk-created;
every hazard goes through `hazards.workflow` back-dated with `at=`, so its events, photos,
notifications and database invariants are exactly the ones real use produces.

Idempotent: when the town exists, nothing is seeded (not even the reference lists, which the town
may have edited); the five demo logins are only made sure to exist with their roles and
memberships. A missing login is created with the demo password; an existing one keeps its
password (a changed password is never reset) and no role or membership is taken away.
"""
