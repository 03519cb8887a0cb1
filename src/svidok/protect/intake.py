"""Incident intake with the names of new persons put in the identity vault, never in the ledger
in clear (issue 5, witness protection; docs/protection.md).

One service for every way in - the web intake form (:mod:`svidok.web.intake`), the API's
``POST /api/v1/intake/incident`` (:mod:`svidok.api.intake`) and ``svidok incident create``
(:mod:`svidok.cli.records`) - over :func:`svidok.records.intake.intake_incident`, which takes
the same document. For every *new* person of the document:

1. its names flagged identifying - ``is_identifying`` true or absent, the default for persons'
   names (:func:`svidok.records.naming.validate_name`) - are taken out of the document; names
   flagged ``is_identifying: false`` (call signs, nicknames, "the commander") stay in it and in
   the case model (``person_name``, ``name.added``), as before;
2. before anything is written, the likely duplicates of those names are looked up among the
   case model's clear names and, through the keyed blind index of the vault names
   (:mod:`svidok.protect.blind_index`, the CipherSweet technique), among names only the vault
   holds (:func:`svidok.records.duplicates.person_candidates` with ``blind``);
3. the document is recorded without them (:func:`~svidok.records.intake.intake_incident`), and,
   in the same transaction, each such person's names go to the vault's ``name`` field
   (:func:`svidok.protect.vault.put`): the ``vault.put`` ledger entry holds ciphertext,
   commitment and keyed hashes of the blocking keys, never the name.

The result's person duplicates name candidates by pseudonym code and score only: their names
are withheld (:data:`svidok.records.history.WITHHELD`) and the reasons keep only the kind of
match, as everywhere outside the vault (need to know: Berkeley Protocol on Digital Open Source
Investigations (2022), paras. 58-62; Murad Code (2022), principle 6).

Whoever may not write identities (``identity.write``: role or token scope) and gives identifying
names for new persons is refused with :class:`IdentityWriteRefused` naming every field
(``persons[0].names``), and nothing is written; the same document without those names, or with
them flagged ``is_identifying: false`` where that is true, is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from svidok.errors import InputError, NotFound
from svidok.protect.errors import AccessDenied
from svidok.protect.roles import Action, Principal
from svidok.records.duplicates import DuplicateCandidate
from svidok.records.history import WITHHELD
from svidok.records.intake import DuplicateReport, IntakeIn, IntakeResult, intake_incident

if TYPE_CHECKING:
    from svidok.protect.keys import MasterKeys
    from svidok.workspace import Txn, Workspace

__all__ = ["IdentityWriteRefused", "VaultNames", "intake_with_vault", "public_candidates", "split_names"]

#: At most this many likely duplicates are reported per new person.
DUPLICATE_LIMIT = 5


class IdentityWriteRefused(AccessDenied):
    """Identifying names were given for new persons by a principal who may not write
    identities; ``paths`` names every such field (``persons[0].names``)."""

    def __init__(self, paths: list[str]) -> None:
        listed = ", ".join(paths)
        super().__init__(
            f"{listed}: you may not write identities, and the identifying names of new persons are kept only in the identity vault; "
            "leave the names out to record the persons by pseudonym code (flag call signs and nicknames is_identifying: false), "
            "or ask a colleague who may",
            field=paths[0] if paths else None,
        )
        self.paths = list(paths)


@dataclass(frozen=True)
class VaultNames:
    """The identifying names of one new person, taken out of the document for the vault."""

    key: str
    path: str  # ``persons[<i>].names``
    names: tuple[str, ...]
    langs: tuple[str | None, ...]


def split_names(doc: IntakeIn | Mapping[str, Any]) -> tuple[dict[str, Any], list[VaultNames]]:
    """The document without the identifying names of new persons, and those names.

    Every name of a new person is validated as the case model would (InputError naming
    ``persons[i].names[j].<field>``) and the identifying ones as the vault would; names flagged
    ``is_identifying: false`` stay. A document or part of a shape the intake refuses anyway is
    passed on unchanged, so that :func:`intake_incident` names the error."""
    from svidok.protect.vault import validate
    from svidok.records.naming import validate_name

    if not isinstance(doc, Mapping) or not isinstance(doc.get("persons"), list):
        return (dict(doc) if isinstance(doc, Mapping) else doc), []
    out: list[VaultNames] = []
    persons: list[Any] = []
    for i, entry in enumerate(doc["persons"]):
        names = entry.get("names") if isinstance(entry, Mapping) else None
        if not isinstance(entry, Mapping) or "existing" in entry or not isinstance(names, list) or not isinstance(entry.get("key"), str):
            persons.append(entry)
            continue
        keep: list[Any] = []
        vault_names: list[tuple[str, str | None]] = []
        for j, n in enumerate(names):
            clean = validate_name("person", n, f"persons[{i}].names[{j}]")
            if clean["is_identifying"]:
                vault_names.append((clean["name"], clean["lang"]))
            else:
                keep.append(n)
        if vault_names:
            path = f"persons[{i}].names"
            try:
                texts = validate({"name": [t for t, _ in vault_names]})["name"]
            except InputError as exc:
                reason = exc.message.split(": ", 1)[-1]
                raise InputError(f"{path}: {reason}", field=path) from None
            out.append(VaultNames(entry["key"], path, tuple(texts), tuple(lang for _, lang in vault_names)))
            entry = {k: v for k, v in entry.items() if k != "names"}
            if keep:
                entry["names"] = keep
        persons.append(entry)
    return {**doc, "persons": persons}, out


def public_candidates(found: list[DuplicateCandidate]) -> list[DuplicateCandidate]:
    """Person candidates as they may be shown: names withheld, reasons without the names
    (``"Сергій ~ Сергей: equivalent given name"`` -> ``"equivalent given name"``)."""
    return [replace(c, name=WITHHELD, reasons=tuple(r.split(": ", 1)[1] if ": " in r else r for r in c.reasons)) for c in found]


def _merge(first: list[DuplicateCandidate], second: list[DuplicateCandidate]) -> list[DuplicateCandidate]:
    best: dict[str, DuplicateCandidate] = {}
    for c in [*first, *second]:
        if c.ref not in best or c.score > best[c.ref].score:
            best[c.ref] = c
    return sorted(best.values(), key=lambda c: (-c.score, c.ref))[:DUPLICATE_LIMIT]


def intake_with_vault(
    txn: Txn,
    keys: MasterKeys | Workspace,
    principal: Principal | None,
    doc: IntakeIn | Mapping[str, Any],
    *,
    check_duplicates: bool = True,
    threshold: float = 75.0,
) -> IntakeResult:
    """Record the intake document in ``txn`` with the identifying names of new persons in the
    identity vault (see the module docstring); returns what :func:`intake_incident` returns,
    its person duplicates completed with those of the vault names and shown by code and score.

    ``keys`` are the workspace's master keys (:func:`svidok.protect.vault.master_keys`), or the
    workspace, whose keys are then loaded only when there are names to put. Raises
    :class:`IdentityWriteRefused` when ``principal`` may not write identities (or is None: no
    one signed in, as for a command run without signing in) and the document gives identifying
    names of new persons; InputError as the intake does, and for a
    new person with names who is in none of ``principal``'s cases. The document's own errors
    come first. Nothing is written then: the error rolls the caller's transaction back."""
    from svidok.protect import vault
    from svidok.protect.blind_index import blind_keys
    from svidok.records.duplicates import person_candidates

    stripped, to_vault = split_names(doc)
    may_write = principal is not None and principal.can(Action.WRITE_IDENTITY)
    master: MasterKeys | None = None
    if to_vault and may_write:
        master = keys if not _is_workspace(keys) else vault.master_keys(keys)  # type: ignore[arg-type,assignment]

    found: dict[str, list[DuplicateCandidate]] = {}
    if check_duplicates and master is not None:  # before anything is written
        for v in to_vault:
            blind = blind_keys(master.name_index, list(v.names)) if master.name_index is not None else []
            hits = person_candidates(txn.session, list(zip(v.names, v.langs, strict=True)), blind=blind, threshold=threshold, limit=DUPLICATE_LIMIT)
            if hits:
                found[v.key] = hits

    result = intake_incident(txn, stripped, check_duplicates=check_duplicates, threshold=threshold)
    if to_vault and not may_write:  # after the document's own errors, which say more; rolled back
        raise IdentityWriteRefused([v.path for v in to_vault])

    for v in to_vault:  # the same transaction: the ledger gets ciphertext and keyed hashes only
        try:
            vault.put(txn, master, principal, result.codes[v.key], {"name": list(v.names)})  # type: ignore[arg-type]
        except AccessDenied:
            raise IdentityWriteRefused([v.path]) from None
        except NotFound:
            raise InputError(
                f"{v.path}: the identity vault holds names only of persons in your cases; name one of your cases (case) or leave the names out",
                field=v.path,
            ) from None

    reports: list[DuplicateReport] = []
    for d in result.duplicates:
        if d.kind == "person":
            d = DuplicateReport(d.key, d.kind, d.id, public_candidates(_merge(d.candidates, found.pop(d.key, []))))
        reports.append(d)
    reports += [DuplicateReport(k, "person", result.ids[k], public_candidates(_merge(c, []))) for k, c in found.items()]
    result.duplicates = reports
    return result


def _is_workspace(value: Any) -> bool:
    from svidok.workspace import Workspace

    return isinstance(value, Workspace)
