"""C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): moved to :mod:`svidok_verify.tlog.checkpoint` (the standalone verifier distribution) and re-exported here so that every ``svidok.ledger.checkpoint`` import keeps working."""

from svidok_verify.tlog.checkpoint import *  # noqa: F401,F403
from svidok_verify.tlog.checkpoint import __all__  # noqa: F401
