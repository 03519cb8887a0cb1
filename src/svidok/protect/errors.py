"""Errors of access control and the identity vault, as branches of :mod:`svidok.errors`.

::

    SvidokError
    ├── AuthenticationFailed   no valid credentials (HTTP 401); one message for every cause
    │   ├── LockedOut          too many failed logins for this account (HTTP 423)
    │   └── RateLimited        too many failed logins from this source (HTTP 429)
    ├── AccessDenied           authenticated, but the role or token scope does not allow it (HTTP 403)
    ├── NotFound               (svidok.errors) also what a user gets for records of cases they are
    │                          not a member of, so that ids cannot be probed (HTTP 404)
    ├── KeyDestroyed           the person's data key was destroyed (crypto-shredding): the vault
    │                          values can never be decrypted again (HTTP 410)
    └── MasterKeyError         the workspace master key is missing, malformed or does not fit

No message of these errors ever contains a password, a token, a key or a vault value: they
name the field or the person's pseudonym code only.
"""

from __future__ import annotations

from svidok.errors import ConfigError, NotFound, SvidokError

__all__ = ["AccessDenied", "AuthenticationFailed", "KeyDestroyed", "LockedOut", "MasterKeyError", "NotFound", "RateLimited"]


class AuthenticationFailed(SvidokError):
    """No valid session, token or password (and one-time code) was presented."""


class LockedOut(AuthenticationFailed):
    """The account is locked after repeated failed logins; ``fields['until']`` says until when."""


class RateLimited(AuthenticationFailed):
    """Too many failed logins from one source; ``fields['retry_after']`` is in seconds."""


class AccessDenied(SvidokError):
    """The principal is authenticated but its role or token scope does not allow the action."""


class KeyDestroyed(SvidokError):
    """The person's data key was destroyed on request (crypto-shredding); nothing can decrypt
    the person's vault values any more."""


class MasterKeyError(ConfigError):
    """The workspace master key is missing, malformed, or is not the key that wrapped a data key."""
