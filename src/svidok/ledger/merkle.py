"""RFC 6962/9162 Merkle tree hashing, tlog hash storage indices and proofs: moved to :mod:`svidok_verify.tlog.merkle` (the standalone verifier distribution) and re-exported here so that every ``svidok.ledger.merkle`` import keeps working."""

from svidok_verify.tlog.merkle import *  # noqa: F401,F403
from svidok_verify.tlog.merkle import __all__  # noqa: F401
