"""Pure transparency-log formats: RFC 6962/9162 Merkle maths and C2SP notes, checkpoints, proofs.

:mod:`.merkle` (RFC 6962/9162 hashing and proofs), :mod:`.note` (c2sp.org/signed-note),
:mod:`.checkpoint` (c2sp.org/tlog-checkpoint), :mod:`.proof` (c2sp.org/tlog-proof and
consistency proofs) and :mod:`.entry` (RFC 8785 canonical ledger entries). No I/O here. The
main ``svidok`` package re-exports each module as ``svidok.ledger.<name>``.
"""
