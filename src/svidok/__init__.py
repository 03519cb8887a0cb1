"""Svidok: an evidence locker and case builder for investigators of international crimes.

The ledger (:mod:`svidok.ledger`) is the source of truth: every change of state is an entry in
an append-only RFC 6962/9162 Merkle log with C2SP signed checkpoints. Everything else is a
projection that can be rebuilt from it.
"""

__version__ = "0.1.0"
