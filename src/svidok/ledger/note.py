"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys in the verifier-key format: moved to :mod:`svidok_verify.tlog.note` (the standalone verifier distribution) and re-exported here so that every ``svidok.ledger.note`` import keeps working."""

from svidok_verify.tlog.note import *  # noqa: F401,F403
from svidok_verify.tlog.note import __all__  # noqa: F401
