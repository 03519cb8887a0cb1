"""Redacted copies of testimonies and documents: names and places replaced by codes.

Principle 2 of the architecture: the original is never altered. A redaction is a *derived*
object - new UTF-8 text in the blob store, named by its SHA-256 - and a ``redaction.created``
ledger entry links it to the original (the record reference and the original's digest), says
how it was made and how many replacements of each code it holds. The entry never carries a
replaced name: only codes and counts.

What is replaced (longest match first, case-insensitive, whole words with up to three letters of
inflection, since Ukrainian and Russian names decline: Петренко, Петренка, Петренкові):

- every name of the persons concerned - the spellings in their vault ``name`` field (decrypted
  in memory, never shown) and the names kept in the case model - by the person's pseudonym
  code, ``[W-0042]``; a single word of a name shared by several of them by ``[NAME]``;
- the names of places known to the case model by ``[PLACE:<KATOTTH code or place id>]``;
- any further terms the user gives (``TEXT=CODE``).

The persons concerned are, for an interview, the interviewee, the interviewers, the interpreter
and everyone with a role in the interview or its case; for an evidence item, everyone with a
role in its case or cited with it. Automated redaction can miss a spelling nobody recorded:
a person must read the copy before it leaves the organisation (Berkeley Protocol para. 64).

Text documents (``text/*``) and interview narratives are supported; PDFs and images are not
(their text cannot be removed by rewriting a string), and are refused with a clear error.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from svidok.db.schema import evidence_item, interview, person, person_name, person_role, place, record_name, redaction, vault_person
from svidok.errors import InputError, NotFound
from svidok.protect.roles import Action, Principal
from svidok.records.ids import new_id

if TYPE_CHECKING:
    from svidok.workspace import Txn, Workspace

__all__ = ["METHOD", "Redacted", "Term", "create", "get", "redact_text"]

METHOD = "svidok-redact/1"
MAX_BYTES = 20 * 1024 * 1024
_APOSTROPHES = "'’ʼ`"
_VOWEL_ENDINGS = "аоеиіяйьуюєїыэёaeiouy"
_GENERIC = "[NAME]"


@dataclass(frozen=True)
class Term:
    """One text to replace and the code that replaces it."""

    text: str
    code: str

    def __repr__(self) -> str:  # terms are names: never in logs
        return f"Term(<{len(self.text)} characters> -> {self.code})"


def _word_pattern(text: str) -> str:
    """Each word of a name (split at spaces and hyphens) with its declension: a final vowel
    may change and up to three letters may follow (Калинівка-Синтетична -> Калинівки-Синтетичної)."""
    out = []
    for part in re.split(r"(\s+|-)", text):
        if not part:
            continue
        if part == "-":
            out.append("-")
        elif part.isspace():
            out.append(r"\s+")
        else:
            stem = part[:-1] if len(part) >= 5 and part[-1].lower() in _VOWEL_ENDINGS else part
            esc = "".join(f"[{re.escape(_APOSTROPHES)}]" if ch in _APOSTROPHES else re.escape(ch) for ch in stem)
            out.append(esc + r"[^\W\d_]{0,3}")
    return "".join(out)


def redact_text(text: str, terms: Iterable[Term]) -> tuple[str, dict[str, int]]:
    """``text`` with every term replaced by ``[code]`` (see the module docstring) and the
    count of replacements per code. Pure."""
    by_text: dict[str, str] = {}
    for t in terms:
        key = " ".join(t.text.split()).casefold()
        if len(key) < 2:
            continue
        by_text[key] = t.code if by_text.get(key, t.code) == t.code else _GENERIC
    if not by_text:
        return text, {}
    ordered = sorted(by_text, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(f"(?P<t{i}>{_word_pattern(k)})" for i, k in enumerate(ordered)) + r")(?!\w)", re.IGNORECASE)
    counts: dict[str, int] = {}

    def sub(m: re.Match[str]) -> str:
        i = int(next(k for k, v in m.groupdict().items() if v is not None)[1:])
        code = by_text[ordered[i]]
        counts[code] = counts.get(code, 0) + 1
        return code if code == _GENERIC else f"[{code}]"

    return pattern.sub(sub, text), counts


def _name_terms(code: str, names: Iterable[str]) -> list[Term]:
    out = []
    for n in names:
        n = " ".join(n.split())
        if not n:
            continue
        out.append(Term(n, code))
        words = n.split()
        if len(words) > 1:
            out.extend(Term(w, code) for w in words if len(w) >= 3)
    return out


def _persons_for(session: Session, original: str) -> set[str]:
    kind, rid = original.split(":", 1)
    ids: set[str] = set()
    cases: set[str] = set()
    if kind == "interview":
        row = session.execute(sa.select(interview).where(interview.c.id == rid)).mappings().first()
        if row is None:
            raise NotFound(f"no record is known as {original!r}", target=original)
        ids.add(row["interviewee_id"])
        ids.update(json.loads(row["interviewer_ids"]) if row["interviewer_ids"] else [])
        if row["interpreter_id"]:
            ids.add(row["interpreter_id"])
        if row["case_id"]:
            cases.add(row["case_id"])
    else:
        row2 = session.execute(sa.select(evidence_item.c.case_ref).where(evidence_item.c.id == rid)).first()
        if row2 is None:
            raise NotFound(f"no record is known as {original!r}", target=original)
        cases.add(row2.case_ref)
    contexts = [original] + [f"case:{c}" for c in cases]
    ids.update(session.execute(sa.select(person_role.c.person_id).where(person_role.c.context.in_(contexts))).scalars())
    if cases:
        ids.update(session.execute(sa.select(interview.c.interviewee_id).where(interview.c.case_id.in_(cases))).scalars())
    return {i for i in ids if i}


def _terms(ws: Workspace, session: Session, original: str, extra: Sequence[Term]) -> list[Term]:
    from svidok.protect import vault
    from svidok.protect.sealing import Sealed, open_value

    terms: list[Term] = list(extra)
    pids = sorted(_persons_for(session, original))
    codes = dict(session.execute(sa.select(person.c.id, person.c.code).where(person.c.id.in_(pids))).all()) if pids else {}
    keys = None
    for pid in pids:
        code = codes.get(pid)
        if code is None:
            continue
        names = list(session.execute(sa.select(person_name.c.name).where(person_name.c.person_id == pid, person_name.c.status == "active")).scalars())
        vrow = session.execute(sa.select(vault_person.c.status).where(vault_person.c.person_id == pid)).first()
        if vrow is not None and vrow.status == "active":
            from svidok.db.schema import vault_value

            r = session.execute(sa.select(vault_value).where(vault_value.c.person_id == pid, vault_value.c.field == "name")).first()
            if r is not None:
                keys = keys or vault.master_keys(ws)
                dk = vault._data_key(session, keys, pid, code)
                value, _ = open_value(dk, pid, "name", Sealed(r.key_id, r.nonce, r.ciphertext, r.commitment))
                names.extend(value)
        terms.extend(_name_terms(code, names))
    for pid, pname, katotth in session.execute(sa.select(place.c.id, place.c.name, place.c.katotth)):
        terms.append(Term(pname, f"PLACE:{katotth or pid}"))
    for owner, pname in session.execute(sa.select(record_name.c.owner, record_name.c.name).where(record_name.c.owner.like("place:%"), record_name.c.status == "active")):
        pid = owner.split(":", 1)[1]
        kat = session.execute(sa.select(place.c.katotth).where(place.c.id == pid)).scalar()
        terms.append(Term(pname, f"PLACE:{kat or pid}"))
    return terms


def _original_text(ws: Workspace, session: Session, original: str) -> tuple[str, str, str]:
    """(text, digest of the original's bytes, case-model reference)."""
    kind, rid = original.split(":", 1)
    if kind == "interview":
        narrative = session.execute(sa.select(interview.c.narrative).where(interview.c.id == rid)).scalar()
        if not narrative:
            raise InputError(f"{original} has no narrative to redact", field="original")
        data = narrative.encode("utf-8")
        return narrative, "sha256:" + hashlib.sha256(data).hexdigest(), original
    from svidok.db.schema import content

    row = session.execute(
        sa.select(evidence_item.c.digest, evidence_item.c.size, content.c.mime).join(content, content.c.digest == evidence_item.c.digest).where(evidence_item.c.id == rid)
    ).first()
    if row is None:
        raise NotFound(f"no record is known as {original!r}", target=original)
    mime = (row.mime or "").split(";")[0].strip()
    if not mime.startswith("text/"):
        raise InputError(f"{original} is {mime or 'of unknown type'}; only text documents (text/*) and interview narratives can be redacted", field="original")
    if int(row.size) > MAX_BYTES:
        raise InputError(f"{original} is larger than {MAX_BYTES} bytes", field="original")
    data = b"".join(ws.blobs.read_verified(row.digest))
    try:
        return data.decode("utf-8"), row.digest, original
    except UnicodeDecodeError:
        raise InputError(f"{original} is not UTF-8 text", field="original") from None


def _original_ref(token: str) -> str:
    token = token.strip() if isinstance(token, str) else ""
    if token.startswith("EV-"):
        token = "evidence:" + token
    elif token.startswith("INT-"):
        token = "interview:" + token
    kind = token.split(":", 1)[0]
    if kind not in ("interview", "evidence") or ":" not in token:
        raise InputError("original: give an interview (INT-...) or a text evidence item (EV-...)", field="original")
    return token


def parse_terms(pairs: Iterable[str]) -> list[Term]:
    """``TEXT=CODE`` pairs from the command line."""
    out = []
    for i, p in enumerate(pairs):
        text, sep, code = p.rpartition("=")
        if not sep or not text.strip() or not re.fullmatch(r"[A-Za-z0-9:_-]{1,40}", code.strip()):
            raise InputError(f"terms[{i}]: write TEXT=CODE (the code 1-40 letters, digits, ':', '_' or '-')", field=f"terms[{i}]")
        out.append(Term(text.strip(), code.strip()))
    return out


@dataclass(frozen=True)
class Redacted:
    """A redacted copy as recorded."""

    id: str
    original: str
    original_digest: str
    digest: str
    size: int
    replacements: dict[str, int]
    index: int


def create(ws: Workspace, txn: Txn, principal: Principal, original: str, *, terms: Sequence[Term] = ()) -> Redacted:
    """Make and record a redacted copy of an interview narrative or a text evidence item."""
    from svidok.protect.access import require

    s = txn.session
    ref = _original_ref(original)
    require(s, principal, Action.REDACT, ref, shown_as=original)
    text, original_digest, ref = _original_text(ws, s, ref)
    all_terms = _terms(ws, s, ref, terms)
    out, counts = redact_text(text, all_terms)
    data = out.encode("utf-8")
    put = ws.blobs.put_bytes(data)
    digest = put.digest
    red_id = new_id("RED")
    payload = {
        "id": red_id, "original": ref, "original_digest": original_digest, "digest": digest, "size": len(data),
        "mime": "text/plain; charset=utf-8", "method": METHOD, "replacements": dict(sorted(counts.items())),
    }  # fmt: skip
    idx = txn.record("redaction.created", payload, subjects=[ref, f"redaction:{red_id}"]).index
    if ref.startswith("evidence:"):
        from svidok.evidence.service import record_derivative

        record_derivative(txn, original_digest, digest=digest, kind="redacted", mime="text/plain; charset=utf-8", size=len(data),
                          tool=METHOD, tool_version="1", settings={"redaction": red_id})  # fmt: skip
    return Redacted(red_id, ref, original_digest, digest, len(data), dict(counts), idx)


def get(ws: Workspace, principal: Principal, redaction_id: str) -> tuple[dict[str, Any], bytes]:
    """A redaction's record and text, for a user who may read its original."""
    from svidok.protect.access import require

    with ws.db.read() as s:
        row = s.execute(sa.select(redaction).where(redaction.c.id == redaction_id)).mappings().first()
        if row is None:
            raise NotFound(f"no record is known as {redaction_id!r}", target=redaction_id)
        action = Action.READ_EVIDENCE if row["original"].startswith("evidence:") else Action.READ_RECORDS
        require(s, principal, action, row["original"], shown_as=redaction_id)
    data = b"".join(ws.blobs.read_verified(row["digest"]))
    info = dict(row)
    info["replacements"] = json.loads(info["replacements"])
    return info, data
