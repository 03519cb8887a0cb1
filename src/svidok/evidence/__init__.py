"""The evidence locker's records: items, acquisitions, metadata, derivatives and custody.

Every change is a ledger entry applied to projection tables (:mod:`svidok.projection`):

=====================  ============================================================  ===========
entry type             what it records                                               tables
=====================  ============================================================  ===========
evidence.acquired      an acquisition of a file into a case (Berkeley Protocol,      evidence_item,
                       paras. 149-158: who, with what, how, where, when, digests)    acquisition, content
evidence.extracted     metadata read from the stored copy (names and versions of     content,
                       the extractors, their results or errors, the PDQ hash)        metadata_record
evidence.derived       a thumbnail or preview made from an original (tool, settings)  derivative
evidence.corrected     a corrected metadata value; supersedes, never erases          metadata_correction
custody.transferred    a hand-over from custodian to custodian, with acknowledgement  evidence_item
custody.accessed       someone read the original (purpose)                           (ledger only)
custody.exported       the original left the locker (destination, format)             (ledger only)
=====================  ============================================================  ===========

:mod:`.service` records them, :mod:`.queries` reads them back, :mod:`.projection` applies them.
"""
