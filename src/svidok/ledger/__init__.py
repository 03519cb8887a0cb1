"""The append-only ledger: RFC 6962/9162 Merkle log, C2SP signed notes, checkpoints and proofs.

Modules here are pure (no I/O, no database): :mod:`.note` (c2sp.org/signed-note),
:mod:`.checkpoint` (c2sp.org/tlog-checkpoint), :mod:`.proof` (c2sp.org/tlog-proof),
:mod:`.entry` (RFC 8785 canonical ledger entries) and :mod:`.merkle` (RFC 6962 hashing).
"""
