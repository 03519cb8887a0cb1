"""``POST /api/v1/intake/incident``: one call records an incident with everything around it.

A thin skin over :func:`svidok.records.intake.intake_incident`: the incident, its acts, the
persons involved in their roles (new, or existing by id or pseudonym code), its places and
units, links to its case, proceedings and evidence items, all in one ledger transaction, or
nothing on the first bad value (422 naming the path, e.g. ``body.acts.1.victims.0.person``).
The answer gives the ids by local key and the likely duplicates of the new persons and places,
for a person to review; nothing is merged automatically.

The names of new persons are witness protection material (issue 5, docs/protection.md): the
request body is the same, but names flagged identifying (``is_identifying`` true or absent) go
to the identity vault in the same transaction, never into the case model or the ledger in clear
(:func:`svidok.protect.intake.intake_with_vault`); names flagged ``is_identifying: false`` (call
signs, nicknames) stay in the case model. Likely duplicates are found among clear names and,
through the vault's keyed blind index, among vault names. A principal who may not write
identities (role, or a token without the ``identity`` scope) is refused (403, naming
``persons[i].names``) and nothing is recorded. Candidates' names for persons are withheld: the
pseudonym code, the score and the kind of match remain.
"""

from typing import Annotated, Any, Literal, Optional, Union

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, create_model

from svidok.api.deps import CurrentPrincipal, PrincipalDep, WorkspaceDep, principal
from svidok.api.errors import PROBLEM_RESPONSES, located
from svidok.api.policy import visible
from svidok.errors import InputError
from svidok.api.models import STRICT, NameIn, enum_of, field_specs, input_type, text
from svidok.records.history import WITHHELD
from svidok.records.kinds import kinds

__all__ = ["router"]

KeyOrId = text(100, min_len=1)
_Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="a local key of this document")]
_Names = Optional[Annotated[list[NameIn], Field(max_length=50)]]  # type: ignore[valid-type]


def _field(kind: str, name: str) -> Any:
    return Optional[input_type(kinds()[kind].field(name))]


def _existing(kind: str) -> type[BaseModel]:
    return create_model(f"Existing{kind.capitalize()}Entry", __config__=STRICT, __doc__=f"An existing {kind}, by id or code.",
                        key=(_Key, ...), existing=(KeyOrId, ...))


PlaceEntry = create_model("NewPlaceEntry", __config__=STRICT, key=(_Key, ...), names=(_Names, None), **field_specs("place"))
UnitEntry = create_model("NewUnitEntry", __config__=STRICT, key=(_Key, ...), names=(_Names, None), **field_specs("unit"))

RoleEntry = create_model(
    "IntakeRole",
    __config__=STRICT,
    __doc__="A role of the person in the incident (default) or in the case.",
    role=(enum_of("person_roles"), ...),
    context=(Optional[Literal["incident", "case"]], None),
    unit_id=(Optional[KeyOrId], None),
    **{n: (_field("person_role", n), None) for n in ("subtype", "involvement", "harms", "combatant_status", "rank", "position", "certainty")},
)
_Roles = Optional[Annotated[list[RoleEntry], Field(max_length=50)]]  # type: ignore[valid-type]
PersonEntry = create_model(
    "NewPersonEntry",
    __config__=STRICT,
    key=(_Key, ...),
    code=(Optional[Annotated[str, Field(pattern=r"^[A-Z]{1,3}-[0-9]{4,9}$")]], None),
    names=(_Names, Field(None, description="Names of the person. Identifying ones (is_identifying true or absent) go to the identity vault, "
                                           "encrypted, never into the case model or the ledger in clear; is_identifying false (call signs, "
                                           "nicknames) stay in the case model.")),
    roles=(_Roles, None),
    **field_specs("person"),
)
ExistingPerson = create_model("ExistingPersonEntry", __config__=STRICT, key=(_Key, ...), existing=(KeyOrId, ...), roles=(_Roles, None))

Victim = create_model(
    "IntakeVictim", __config__=STRICT, person=(KeyOrId, ...),
    **{n: (_field("person_role", n), None) for n in ("subtype", "harms", "combatant_status", "certainty")},
)
Perpetrator = create_model(
    "IntakePerpetrator", __config__=STRICT, person=(Optional[KeyOrId], None), unit=(Optional[KeyOrId], None),
    **{n: (_field("person_role", n), None) for n in ("involvement", "certainty", "rank", "position")},
)
ActEntry = create_model(
    "IntakeAct",
    __config__=STRICT,
    victims=(Optional[Annotated[list[Victim], Field(max_length=500)]], None),  # type: ignore[valid-type]
    perpetrators=(Optional[Annotated[list[Perpetrator], Field(max_length=500)]], None),  # type: ignore[valid-type]
    **field_specs("act", skip=("incident_id",), replace={"place_id": KeyOrId}),
)
EvidenceEntry = create_model(
    "IntakeEvidence",
    __config__=STRICT,
    evidence=(Annotated[str, Field(pattern=r"^(?:evidence:)?EV-[0-9A-Za-z]{26}$")], ...),
    record=(Optional[KeyOrId], Field(None, description="incident (default), acts[<i>] or a local key")),
    role=(enum_of("evidence_roles"), ...),
    page_from=(Optional[Annotated[int, Field(ge=1, le=2**31 - 1)]], None),
    page_to=(Optional[Annotated[int, Field(ge=1, le=2**31 - 1)]], None),
    time_from=(Optional[Annotated[float, Field(ge=0, allow_inf_nan=False)]], None),
    time_to=(Optional[Annotated[float, Field(ge=0, allow_inf_nan=False)]], None),
    note=(Optional[text(1000)], None),
)
IncidentEntry = create_model("IntakeIncident", __config__=STRICT, **field_specs("incident", replace={"place_id": KeyOrId}))


def _list(item: Any, n: int = 500) -> Any:
    return (Optional[Annotated[list[item], Field(max_length=n)]], None)  # type: ignore[valid-type]


IntakeIn = create_model(
    "IntakeIn",
    __config__=STRICT,
    __doc__="An incident and everything around it (see svidok.records.intake).",
    case=(Optional[KeyOrId], None),
    proceedings=_list(KeyOrId, 50),
    places=_list(Union[_existing("place"), PlaceEntry]),
    units=_list(Union[_existing("unit"), UnitEntry]),
    incident=(IncidentEntry, ...),
    persons=_list(Union[ExistingPerson, PersonEntry]),
    acts=_list(ActEntry),
    evidence=_list(EvidenceEntry),
)


class CandidateOut(BaseModel):
    """An existing record that may be the same person or place."""

    ref: str
    label: str
    name: str
    score: float
    reasons: list[str]


class DuplicateOut(BaseModel):
    """Likely duplicates of one new person or place, by its local key."""

    key: str
    kind: str
    id: str
    candidates: list[CandidateOut]


class IntakeOut(BaseModel):
    """What the intake recorded: ids by local key, pseudonym codes, and duplicates to review."""

    incident: str
    acts: list[str]
    ids: dict[str, str]
    codes: dict[str, str]
    roles: list[str]
    links: list[str]
    duplicates: list[DuplicateOut]


def _public(result: dict[str, Any]) -> dict[str, Any]:
    for dup in result["duplicates"]:
        if dup["kind"] == "person":
            for c in dup["candidates"]:
                c["name"] = WITHHELD
                c["reasons"] = [r.split(": ", 1)[1] if ": " in r else r for r in c["reasons"]]
    return result


def _existing_is_not_a_key(doc: dict[str, Any]) -> None:
    """``existing`` names a recorded place, unit or person by id or code; a local key of the
    document there would make ``intake_incident`` fail with a KeyError (500), so refuse it."""
    keys = {e.get("key") for name in ("places", "units", "persons") for e in doc.get(name) or []}
    for name in ("places", "units", "persons"):
        for i, e in enumerate(doc.get(name) or []):
            if e.get("existing") in keys:
                where = f"{name}[{i}].existing"
                raise InputError(f"{where}: {e['existing']!r} is a local key of this document; existing names a recorded record by id or code", field=where)


router = APIRouter(prefix="/api/v1", dependencies=[Depends(principal)], responses=PROBLEM_RESPONSES, tags=["Intake"])


def _drop_unset(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {k: _drop_unset(getattr(value, k)) for k in value.model_fields_set if getattr(value, k) is not None}
    if isinstance(value, list):
        return [_drop_unset(v) for v in value]
    return value


_DESCRIPTION = (
    "One call records an incident with its acts, the persons involved in their roles (new, or existing by id or "
    "pseudonym code), its places and units, links to its case, proceedings and evidence items, in one ledger "
    "transaction, or nothing on the first bad value (422 naming the path).\n\n"
    "**Names of new persons go to the identity vault.** A name in `persons[].names` flagged identifying "
    "(`is_identifying` true or absent, the default) is not recorded in the case model: it is put, encrypted, in the "
    "identity vault in the same transaction, and the ledger holds only its ciphertext, commitment and keyed blind index, "
    "never the name. Names flagged `is_identifying: false` (call signs, nicknames) stay in the case model. Revealing a "
    "vault name needs the `identity.reveal` action and a purpose, and is audited. Giving identifying names needs the "
    "`identity.write` action (and, for an API token, the `identity` scope): otherwise the request is refused (403, "
    "naming `persons[i].names`) and nothing is recorded.\n\n"
    "The answer gives the ids and pseudonym codes by local key and the likely duplicates of the new persons (among "
    "clear names and, by the keyed blind index, vault names) and places, for a person to review; persons are named by "
    "pseudonym code and score, their names withheld. Nothing is merged automatically."
)


@router.post("/intake/incident", status_code=201, response_model=IntakeOut, operation_id="intake_incident",
             summary="Record an incident with its acts, persons, places, units and evidence in one call",
             description=_DESCRIPTION)
def intake(body: IntakeIn, ws: WorkspaceDep, who: PrincipalDep, p: CurrentPrincipal) -> Any:  # type: ignore[valid-type]
    from svidok.protect.intake import intake_with_vault

    doc = _drop_unset(body)
    with located("body"):
        _existing_is_not_a_key(doc)
    with located("body"), ws.transaction(actor=who) as txn:
        result = intake_with_vault(txn, ws, p, doc)
    out = _public(result.as_dict())
    with ws.db.read() as s:  # likely duplicates only among records the user may see (compartments)
        for dup in out["duplicates"]:
            seen = visible(s, p, {c["ref"] for c in dup["candidates"]}, restricted=True)
            dup["candidates"] = [c for c in dup["candidates"] if c["ref"] in seen]
        out["duplicates"] = [d for d in out["duplicates"] if d["candidates"]]
    return out
