"""Protection over HTTP: the identity vault, consent, prior statements, the audit of reads,
redactions, sensitivity labels, accounts, API tokens and case memberships.

Thin skins over :mod:`svidok.protect`, whose services enforce roles x compartments themselves
(each takes the :class:`~svidok.protect.roles.Principal`); the operations' rules in
:mod:`svidok.api.policy` therefore only require a signed-in user (``in_service``). A person is
named by pseudonym code in every path; a code outside the user's compartments is answered as a
code that does not exist (404). Vault values appear only in the answer of
``POST /persons/{code}/identity/reveal``, after an ``access.viewed`` entry with the purpose.

This module deliberately does not use ``from __future__ import annotations`` (FastAPI must see
the annotations as objects).
"""

from typing import Annotated, Any, Literal, Optional

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from svidok.api.deps import CurrentPrincipal, WorkspaceDep, principal
from svidok.api.errors import PROBLEM_RESPONSES, located
from svidok.api.policy import Rule, register
from svidok.protect import audit as audit_mod
from svidok.protect import consent as consent_mod
from svidok.protect import members, prior_statements, redaction, sensitivity, users, vault
from svidok.protect.access import require
from svidok.protect.disclosure import check_disclosure
from svidok.protect.roles import Action
from svidok.protect.txn import transaction

__all__ = ["router"]

STRICT = ConfigDict(extra="forbid", strict=True)
_Code = Annotated[str, Path(min_length=1, max_length=80, description="a person's pseudonym code, e.g. W-0042")]
_Case = Annotated[str, Path(min_length=1, max_length=64, description="a case reference")]
_Reason = Annotated[str, Field(min_length=1, max_length=1000)]

router = APIRouter(prefix="/api/v1", dependencies=[Depends(principal)], responses=PROBLEM_RESPONSES, tags=["Protection"])


def _op(operation_id: str) -> str:
    register(operation_id, Rule(None, in_service=True, notes="the protection service checks role and compartment"))
    return operation_id


# -- the vault --------------------------------------------------------------------------------


class RevealIn(BaseModel):
    model_config = STRICT
    purpose: Annotated[str, Field(min_length=audit_mod.MIN_PURPOSE, max_length=audit_mod.MAX_PURPOSE)]
    fields: Optional[list[Literal[tuple(vault.FIELDS)]]] = None  # type: ignore[valid-type]


class RevealOut(BaseModel):
    person: str
    values: dict[str, Any]
    versions: dict[str, int]
    audit_index: int


@router.post("/persons/{code}/identity/reveal", response_model=RevealOut, operation_id=_op("reveal_identity"),
             summary="Decrypt a person's identity (recorded with its purpose before anything is shown)")  # fmt: skip
def reveal_identity(code: _Code, body: RevealIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"):
        shown = vault.reveal(ws, p, code, purpose=body.purpose, fields=body.fields)
    return {"person": shown.code, "values": shown.values, "versions": shown.versions, "audit_index": shown.audit_index}


class IdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[Literal[tuple(vault.FIELDS)], Any]  # type: ignore[valid-type]


@router.put("/persons/{code}/identity", response_model=dict[str, Any], operation_id=_op("put_identity"),
            summary="Store identity data of a person in the vault (encrypted; only ciphertext reaches the ledger)")  # fmt: skip
def put_identity(code: _Code, body: IdentityIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    keys = vault.master_keys(ws)
    with located("body"), transaction(ws, p) as txn:
        vault.put(txn, keys, p, code, body.values)
    with ws.db.read() as s:
        return vault.fields_of(s, p, code)


@router.get("/persons/{code}/identity", response_model=dict[str, Any], operation_id=_op("identity_fields"),
            summary="What the vault holds for a person: fields, versions, commitments; no value")  # fmt: skip
def identity_fields(code: _Code, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with ws.db.read() as s:
        return vault.fields_of(s, p, code)


@router.get("/persons/{code}/prior-statements", response_model=dict[str, Any], operation_id=_op("prior_statements"),
            summary="Who already interviewed the person and when (check before another interview)")  # fmt: skip
def prior(code: _Code, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    return prior_statements.check(ws, p, code).as_dict()


# -- consent ----------------------------------------------------------------------------------


class GrantIn(BaseModel):
    model_config = STRICT
    action: Literal[consent_mod.ACTIONS]  # type: ignore[valid-type]
    recipients: Optional[list[Literal[consent_mod.RECIPIENTS]]] = None  # type: ignore[valid-type]
    purposes: Optional[list[Literal[consent_mod.PURPOSES]]] = None  # type: ignore[valid-type]


class ConsentIn(BaseModel):
    model_config = STRICT
    grants: Annotated[list[GrantIn], Field(max_length=100)]
    reference: Optional[Annotated[str, Field(min_length=1, max_length=200)]] = None


class WithdrawalIn(BaseModel):
    model_config = STRICT
    reason: _Reason
    actions: Optional[list[Literal[consent_mod.ACTIONS]]] = None  # type: ignore[valid-type]
    erase: bool = False


@router.get("/persons/{code}/consent", response_model=list[dict[str, Any]], operation_id=_op("read_consent"),
            summary="The current consent of a person (every version with history=true)")  # fmt: skip
def read_consent(code: _Code, ws: WorkspaceDep, p: CurrentPrincipal, history: Annotated[bool, Query()] = False) -> Any:
    with ws.db.read() as s:
        return [c.as_dict() for c in consent_mod.show(s, p, code, history=history)]


@router.post("/persons/{code}/consent", status_code=201, response_model=dict[str, Any], operation_id=_op("record_consent"),
             summary="Record a new consent version (everything not granted is refused)")  # fmt: skip
def record_consent(code: _Code, body: ConsentIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    grants = [g.model_dump(exclude_none=True) for g in body.grants]
    with located("body"), transaction(ws, p) as txn:
        version = consent_mod.record_consent(txn, p, code, grants, reference=body.reference)
    return {"person": code, "version": version}


@router.post("/persons/{code}/consent/withdrawal", status_code=201, response_model=dict[str, Any], operation_id=_op("withdraw_consent"),
             summary="Withdraw consent; with erase=true also destroy the person's data key (crypto-shredding)")  # fmt: skip
def withdraw_consent(code: _Code, body: WithdrawalIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"), transaction(ws, p) as txn:
        version = consent_mod.withdraw(txn, p, code, reason=body.reason, actions=body.actions, erase=body.erase)
    return {"person": code, "version": version, "erased": body.erase}


class DisclosureIn(BaseModel):
    model_config = STRICT
    item: Annotated[str, Field(min_length=1, max_length=100)]
    recipient: Literal[consent_mod.RECIPIENTS]  # type: ignore[valid-type]
    purpose: Literal[consent_mod.PURPOSES]  # type: ignore[valid-type]
    identity: bool = False


@router.post("/disclosure-checks", response_model=dict[str, Any], operation_id=_op("check_disclosure"),
             summary="Whether an item may go to a recipient for a purpose under the consent given")  # fmt: skip
def disclosure(body: DisclosureIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with ws.db.read() as s:
        require(s, p, Action.EXPORT, body.item)
        return check_disclosure(s, body.item, body.recipient, body.purpose, identity=body.identity).as_dict()


# -- audit, redaction, sensitivity ------------------------------------------------------------


@router.get("/audit", response_model=list[dict[str, Any]], operation_id=_op("read_audit"),
            summary="Audited views: who saw which identity or restricted item, when and why")  # fmt: skip
def read_audit(
    ws: WorkspaceDep,
    p: CurrentPrincipal,
    user: Annotated[Optional[str], Query(max_length=64)] = None,
    person: Annotated[Optional[str], Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 200,
) -> Any:
    with ws.db.read() as s:
        return audit_mod.query(s, p, user=user, person_code=person, limit=limit)


class TermIn(BaseModel):
    model_config = STRICT
    text: Annotated[str, Field(min_length=2, max_length=300)]
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9:_-]{1,40}$")]


class RedactionIn(BaseModel):
    model_config = STRICT
    original: Annotated[str, Field(min_length=1, max_length=100)]
    terms: Annotated[list[TermIn], Field(max_length=500)] = []


@router.post("/redactions", status_code=201, response_model=dict[str, Any], operation_id=_op("create_redaction"),
             summary="Make a redacted copy of an interview narrative or a text document")  # fmt: skip
def create_redaction(body: RedactionIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    terms = [redaction.Term(t.text, t.code) for t in body.terms]
    with located("body"), transaction(ws, p) as txn:
        r = redaction.create(ws, txn, p, body.original, terms=terms)
    return {"id": r.id, "original": r.original, "original_digest": r.original_digest, "digest": r.digest, "size": r.size,
            "replacements": r.replacements, "index": r.index}  # fmt: skip


@router.get("/redactions/{id}", response_model=dict[str, Any], operation_id=_op("read_redaction"), summary="A redacted copy and its text")
def read_redaction(id: Annotated[str, Path(min_length=1, max_length=40)], ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    info, data = redaction.get(ws, p, id)
    return {**info, "text": data.decode("utf-8")}


class SensitivityIn(BaseModel):
    model_config = STRICT
    target: Annotated[str, Field(min_length=3, max_length=80)]
    level: Literal["public", "internal", "confidential", "strictly_confidential"]
    reason: _Reason
    crsv: Optional[bool] = None


@router.post("/sensitivity", response_model=dict[str, Any], operation_id=_op("set_sensitivity"),
             summary="Label a record or evidence item with a sensitivity level (and the CRSV flag)")  # fmt: skip
def set_sensitivity(body: SensitivityIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"), transaction(ws, p) as txn:
        idx = sensitivity.set_label(txn, p, body.target, body.level, reason=body.reason, crsv=body.crsv)
    return {"target": body.target, "level": body.level, "index": idx}


# -- accounts, tokens, memberships ------------------------------------------------------------


class UserIn(BaseModel):
    model_config = STRICT
    name: Annotated[str, Field(min_length=2, max_length=64)]
    role: str
    password: Annotated[str, Field(min_length=1, max_length=users.MAX_PASSWORD)]


@router.get("/users", response_model=list[dict[str, Any]], operation_id=_op("list_users"), summary="Accounts (administrators)")
def list_users(ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with ws.db.read() as s:
        return [u.as_dict() for u in users.list_users(s, p)]


@router.post("/users", status_code=201, response_model=dict[str, Any], operation_id=_op("create_user"),
             summary="Create an account (administrators); the TOTP URI is shown once")  # fmt: skip
def create_user(body: UserIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"), transaction(ws, p) as txn:
        new = users.create_user(txn, lambda: vault.master_keys(ws), p, body.name, body.role, body.password, organisation=ws.config.organisation)
    return {"name": new.name, "role": new.role.value, "totp_uri": new.totp_uri}


@router.post("/users/{name}/unlock", response_model=dict[str, Any], operation_id=_op("unlock_user"), summary="Lift a lock-out (administrators)")
def unlock_user(name: Annotated[str, Path(min_length=1, max_length=64)], ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("path", {"name": "name"}), transaction(ws, p) as txn:
        users.unlock_user(txn, p, name)
    return {"name": name, "locked": False}


class TokenIn(BaseModel):
    model_config = STRICT
    user: Annotated[str, Field(min_length=2, max_length=64)]
    label: Annotated[str, Field(min_length=1, max_length=100)]
    scopes: Annotated[list[str], Field(max_length=5)] = ["read"]
    expires_in_days: Annotated[int, Field(ge=1, le=users.TOKEN_MAX_DAYS)] = users.TOKEN_DEFAULT_DAYS


@router.get("/tokens", response_model=list[dict[str, Any]], operation_id=_op("list_tokens"), summary="API tokens of a user (never their secrets)")
def list_tokens(ws: WorkspaceDep, p: CurrentPrincipal, user: Annotated[Optional[str], Query(max_length=64)] = None) -> Any:
    with ws.db.read() as s:
        return users.list_tokens(s, p, user)


@router.post("/tokens", status_code=201, response_model=dict[str, Any], operation_id=_op("create_token"),
             summary="Create an API token (the secret is shown once)")  # fmt: skip
def create_token(body: TokenIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"), transaction(ws, p) as txn:
        token_id, secret = users.create_token(txn, p, body.user, label=body.label, scopes=body.scopes, expires_in_days=body.expires_in_days)
    return {"id": token_id, "token": secret}


class ReasonIn(BaseModel):
    model_config = STRICT
    reason: _Reason


@router.post("/tokens/{id}/revocation", response_model=dict[str, Any], operation_id=_op("revoke_token"), summary="Revoke an API token")
def revoke_token(id: Annotated[str, Path(min_length=1, max_length=40)], body: ReasonIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"), transaction(ws, p) as txn:
        users.revoke_token(txn, p, id, body.reason)
    return {"id": id, "revoked": True}


class MemberIn(BaseModel):
    model_config = STRICT
    user: Annotated[str, Field(min_length=2, max_length=64)]
    crsv: bool = False
    reason: Optional[_Reason] = None


@router.get("/cases/{case}/members", response_model=list[dict[str, Any]], operation_id=_op("list_members"), summary="Members of a case")
def list_members(case: _Case, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with ws.db.read() as s:
        return members.members_of(s, p, case)


@router.post("/cases/{case}/members", status_code=201, response_model=dict[str, Any], operation_id=_op("grant_membership"),
             summary="Make a user a member of a case (administrators)")  # fmt: skip
def grant_membership(case: _Case, body: MemberIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"), transaction(ws, p) as txn:
        idx = members.grant(txn, p, body.user, case, clearances=["crsv"] if body.crsv else [], reason=body.reason)
    return {"user": body.user, "case": case, "crsv": body.crsv, "index": idx}


@router.post("/cases/{case}/members/{user}/revocation", response_model=dict[str, Any], operation_id=_op("revoke_membership"),
             summary="End a user's membership of a case (administrators)")  # fmt: skip
def revoke_membership(case: _Case, user: Annotated[str, Path(min_length=1, max_length=64)], body: ReasonIn, ws: WorkspaceDep, p: CurrentPrincipal) -> Any:
    with located("body"), transaction(ws, p) as txn:
        idx = members.revoke(txn, p, user, case, reason=body.reason)
    return {"user": user, "case": case, "index": idx}
