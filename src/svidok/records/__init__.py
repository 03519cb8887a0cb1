"""The case model for international crimes: cases, incidents and acts, places, persons and
their roles, interviews, sources and claims, verification, legal qualification, units.

Every write is a service function that records a ledger entry and applies it to the tables
in the same transaction (:mod:`svidok.projection`); reads take a database session.
"""
