"""RFC 8785 canonical ledger entries: moved to :mod:`svidok_verify.tlog.entry` (the standalone verifier distribution) and re-exported here so that every ``svidok.ledger.entry`` import keeps working."""

from svidok_verify.tlog.entry import *  # noqa: F401,F403
from svidok_verify.tlog.entry import __all__  # noqa: F401
