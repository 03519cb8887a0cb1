"""Access control and witness protection by design.

- :mod:`.roles`: the pure policy (roles x actions x case compartments, token scopes);
- :mod:`.users`: accounts, Argon2id passwords, TOTP, lock-out, sessions, API tokens;
- :mod:`.members`: case memberships, granted and revoked through the ledger;
- :mod:`.access`: compartments and sensitivity of targets; :func:`~.access.require`;
- :mod:`.sealing`, :mod:`.keys`, :mod:`.vault`: the identity vault (AES-256-GCM per-person data
  keys wrapped by the workspace master key; crypto-shredding; master key rotation);
- :mod:`.consent`, :mod:`.disclosure`: versioned consent and the disclosure rule for exports;
- :mod:`.sensitivity`: levels, and CRSV material restricted to named specialists;
- :mod:`.audit`: every view of vault data or restricted material is a ledger entry;
- :mod:`.redaction`: derived, redacted copies linked to their originals;
- :mod:`.prior_statements`: who already interviewed a person, before another interview;
- :mod:`.projection`: the appliers; :mod:`.checks`: ``svidok verify`` checks of the key table.
"""
