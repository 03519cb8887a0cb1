"""Roles x actions x case compartments: the pure access policy (no I/O).

Need to know, as in the Berkeley Protocol on Digital Open Source Investigations (2022), paras.
58-62 (security of information and of the people it concerns), and the Murad Code (2022),
principle 6 (the survivor controls who learns what): a user acts in one :class:`Role`, and
sees only the cases (compartments) they are a member of. Membership is granted and revoked
through the ledger (``member.granted`` / ``member.revoked``, :mod:`svidok.protect.members`).

Three layers decide every request (:func:`decide`):

1. the role allows the action (:data:`ROLE_ACTIONS`);
2. an API token's scopes cover the action (:data:`ACTION_SCOPE`);
3. for case-scoped actions, the user is a member of a case the target belongs to, and the
   target's sensitivity is open to them (:mod:`svidok.protect.sensitivity`): strictly
   confidential material needs :attr:`Action.READ_RESTRICTED`, conflict-related sexual
   violence (CRSV) material a membership with the ``crsv`` clearance (a named specialist).

A target in no case the user belongs to is reported as *not found*, never as forbidden, so
that ids cannot be probed; a target the user may see but not act on is *forbidden*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "ACTION_SCOPE",
    "CASE_FREE_ACTIONS",
    "CLEARANCES",
    "IDENTITY_ROLES",
    "ROLE_ACTIONS",
    "SCOPES",
    "TOTP_ROLES",
    "Action",
    "Decision",
    "Principal",
    "Role",
    "allowed",
    "decide",
    "parse_role",
]


class Role(str, Enum):
    """What a user does in the organisation."""

    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    FORENSIC = "forensic"
    PROSECUTOR = "prosecutor"
    REVIEWER = "reviewer"
    ADMINISTRATOR = "administrator"
    EXTERNAL_VERIFIER = "external_verifier"


class Action(str, Enum):
    """Everything a route or service may be asked to do."""

    READ_RECORDS = "records.read"
    WRITE_RECORDS = "records.write"
    READ_EVIDENCE = "evidence.read"
    WRITE_EVIDENCE = "evidence.write"  # ingest, custody transfer, corrections
    READ_RESTRICTED = "restricted.read"  # strictly confidential records and evidence (audited)
    REVEAL_IDENTITY = "identity.reveal"  # decrypt vault values (audited, with a purpose)
    WRITE_IDENTITY = "identity.write"
    ERASE_IDENTITY = "identity.erase"  # crypto-shredding on the person's request
    READ_CONSENT = "consent.read"
    WRITE_CONSENT = "consent.write"
    PRIOR_STATEMENTS = "interviews.prior"
    REDACT = "redaction.create"
    EXPORT = "export.create"
    READ_EXPORTS = "export.read"
    READ_LEDGER = "ledger.read"  # checkpoints, verifier key, proofs (no entry payloads)
    READ_LEDGER_ENTRIES = "ledger.entries"  # entry payloads span every case
    READ_AUDIT = "audit.read"
    MANAGE_USERS = "users.manage"
    MANAGE_MEMBERSHIP = "members.manage"


A = Action

#: What each role may do. Administrators manage accounts and compartments but see no case
#: material and no identities; external verifiers only check exports and the ledger.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.INVESTIGATOR: frozenset({
        A.READ_RECORDS, A.WRITE_RECORDS, A.READ_EVIDENCE, A.WRITE_EVIDENCE, A.READ_RESTRICTED,
        A.REVEAL_IDENTITY, A.WRITE_IDENTITY, A.ERASE_IDENTITY, A.READ_CONSENT, A.WRITE_CONSENT,
        A.PRIOR_STATEMENTS, A.REDACT, A.EXPORT, A.READ_EXPORTS, A.READ_LEDGER,
    }),
    Role.ANALYST: frozenset({A.READ_RECORDS, A.WRITE_RECORDS, A.READ_EVIDENCE, A.READ_EXPORTS, A.READ_LEDGER}),
    Role.FORENSIC: frozenset({
        A.READ_RECORDS, A.WRITE_RECORDS, A.READ_EVIDENCE, A.WRITE_EVIDENCE, A.READ_RESTRICTED,
        A.REVEAL_IDENTITY, A.WRITE_IDENTITY, A.READ_CONSENT, A.PRIOR_STATEMENTS, A.READ_EXPORTS, A.READ_LEDGER,
    }),
    Role.PROSECUTOR: frozenset({
        A.READ_RECORDS, A.WRITE_RECORDS, A.READ_EVIDENCE, A.READ_RESTRICTED, A.REVEAL_IDENTITY,
        A.READ_CONSENT, A.PRIOR_STATEMENTS, A.REDACT, A.EXPORT, A.READ_EXPORTS, A.READ_LEDGER,
    }),
    Role.REVIEWER: frozenset({A.READ_RECORDS, A.WRITE_RECORDS, A.READ_EVIDENCE, A.READ_CONSENT, A.REDACT, A.READ_EXPORTS, A.READ_LEDGER}),
    Role.ADMINISTRATOR: frozenset({A.MANAGE_USERS, A.MANAGE_MEMBERSHIP, A.READ_AUDIT, A.READ_LEDGER, A.READ_LEDGER_ENTRIES}),
    Role.EXTERNAL_VERIFIER: frozenset({A.READ_EXPORTS, A.READ_LEDGER}),
}  # fmt: skip

#: Actions that do not concern one case (no compartment check).
CASE_FREE_ACTIONS = frozenset({A.READ_LEDGER, A.READ_LEDGER_ENTRIES, A.READ_AUDIT, A.MANAGE_USERS, A.MANAGE_MEMBERSHIP})

#: Roles that can see real identities: their accounts need a TOTP second factor (RFC 6238).
IDENTITY_ROLES = frozenset(r for r, acts in ROLE_ACTIONS.items() if A.REVEAL_IDENTITY in acts)
#: Roles whose logins need TOTP: identity roles, and administrators (they grant compartments).
TOTP_ROLES = IDENTITY_ROLES | {Role.ADMINISTRATOR}

#: Token scopes, and the scope each action needs. A session (web) or password login has every
#: scope of its role; an API token only those it was created with.
SCOPES = ("read", "write", "identity", "export", "admin")
ACTION_SCOPE: dict[Action, str] = {
    A.READ_RECORDS: "read", A.READ_EVIDENCE: "read", A.READ_RESTRICTED: "read", A.READ_CONSENT: "read",
    A.PRIOR_STATEMENTS: "read", A.READ_EXPORTS: "read", A.READ_LEDGER: "read", A.READ_LEDGER_ENTRIES: "read",
    A.WRITE_RECORDS: "write", A.WRITE_EVIDENCE: "write", A.REDACT: "write",
    A.REVEAL_IDENTITY: "identity", A.WRITE_IDENTITY: "identity", A.ERASE_IDENTITY: "identity", A.WRITE_CONSENT: "identity",
    A.EXPORT: "export",
    A.READ_AUDIT: "admin", A.MANAGE_USERS: "admin", A.MANAGE_MEMBERSHIP: "admin",
}  # fmt: skip

#: Clearances a membership can carry: ``crsv`` names a specialist for conflict-related sexual
#: violence material in that case (Murad Code; UN Istanbul Protocol 2022, ch. IV).
CLEARANCES = ("crsv",)


def parse_role(value: object, field: str = "role") -> Role:
    """The :class:`Role` named by ``value``, or InputError listing the roles."""
    from svidok.errors import InputError

    try:
        return Role(str(value).strip().lower().replace("-", "_"))
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InputError(f"{field}: {value!r} is not a role; the roles are: {names}", field=field) from None


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user, their role, their compartments and (for tokens) scopes.

    ``cases`` are the case references the user is an active member of; ``crsv_cases`` those
    where the membership carries the ``crsv`` clearance. ``scopes`` is None for sessions and
    password logins (every scope of the role) and the token's scopes otherwise.
    """

    user: str
    role: Role
    cases: frozenset[str] = frozenset()
    crsv_cases: frozenset[str] = frozenset()
    scopes: frozenset[str] | None = None
    via: str = "password"
    second_factor: bool = False

    @property
    def actor(self) -> str:
        """How the principal appears as the actor of ledger entries."""
        return f"user:{self.user}"

    @property
    def subject(self) -> str:
        """The ledger subject under which the user's actions are indexed."""
        return f"user:{self.user}"

    def can(self, action: Action) -> bool:
        """Whether role and scopes allow ``action`` (compartments are not considered)."""
        return allowed(self.role, action, self.scopes)

    def __repr__(self) -> str:
        return f"Principal(user={self.user!r}, role={self.role.value}, cases={len(self.cases)}, via={self.via})"


def allowed(role: Role, action: Action, scopes: Iterable[str] | None = None) -> bool:
    """Whether ``role`` may do ``action`` under token ``scopes`` (None: no token limit)."""
    if action not in ROLE_ACTIONS[role]:
        return False
    return scopes is None or ACTION_SCOPE[action] in set(scopes)


@dataclass(frozen=True)
class Decision:
    """The outcome for one principal, action and target.

    ``outcome`` is ``allow``, ``not_found`` (outside the user's compartments: say nothing) or
    ``forbidden`` (visible, but the role, scope or sensitivity does not allow the action).
    ``audited`` says the view must be recorded in the ledger before anything is shown.
    """

    outcome: str
    reason: str
    audited: bool = False
    cases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.outcome == "allow"


#: Sensitivity levels in increasing order (vocabulary ``sensitivity`` of the case model).
LEVELS = ("public", "internal", "confidential", "strictly_confidential")
RESTRICTED_LEVEL = "strictly_confidential"


def decide(
    principal: Principal,
    action: Action,
    target_cases: Iterable[str] = (),
    *,
    level: str = "confidential",
    crsv: bool = False,
    shared: bool = False,
    own: bool = False,
) -> Decision:
    """Decide one request (see the module docstring).

    ``target_cases`` are the cases the target belongs to. ``shared`` marks reference data
    outside compartments (gazetteer places, units) that any reader may see unless restricted;
    ``own`` marks a target the principal created that is not yet in any case (a draft).
    """
    cases = tuple(sorted(set(target_cases)))
    if action in CASE_FREE_ACTIONS:
        if principal.can(action):
            return Decision("allow", "allowed by role", cases=cases)
        return Decision("forbidden", f"the role {principal.role.value} may not {action.value}", cases=cases)
    visible = [c for c in cases if c in principal.cases]
    in_reach = bool(visible) or (not cases and (shared or own))
    if not in_reach:
        return Decision("not_found", "outside the user's case compartments", cases=cases)
    if not principal.can(action):
        why = f"the role {principal.role.value} may not {action.value}"
        if principal.scopes is not None and action in ROLE_ACTIONS[principal.role]:
            why = f"the token's scopes ({', '.join(sorted(principal.scopes)) or 'none'}) do not include {ACTION_SCOPE[action]!r}"
        return Decision("forbidden", why, cases=cases)
    restricted = level == RESTRICTED_LEVEL
    if restricted and not principal.can(Action.READ_RESTRICTED):
        return Decision("forbidden", "strictly confidential material is open only to roles cleared for restricted material", cases=cases)
    if crsv and not any(c in principal.crsv_cases for c in visible):
        return Decision(
            "forbidden",
            "conflict-related sexual violence material is open only to the specialists named for its case (membership with the crsv clearance)",
            cases=cases,
        )
    return Decision("allow", "member of the case", audited=restricted or crsv, cases=cases)
