"""C2SP tlog-proof@v1 offline inclusion proofs and consistency proofs (RFC 9162 s2.1.4): moved to :mod:`svidok_verify.tlog.proof` (the standalone verifier distribution) and re-exported here so that every ``svidok.ledger.proof`` import keeps working."""

from svidok_verify.tlog.proof import *  # noqa: F401,F403
from svidok_verify.tlog.proof import __all__  # noqa: F401
