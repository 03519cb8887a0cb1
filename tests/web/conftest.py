"""A small world for the web tests: two compartments, case ``WEB-A`` and case ``WEB-B``.

Each case holds a place with coordinates, two incidents linked to it (case A's both at the
same coordinates, to prove they stay separate markers) and a text evidence item with a PNG preview. Accounts:
``inv_a`` an investigator of case A only, ``inv_b`` of case B only, ``boss`` an administrator
(who needs a TOTP code to sign in). Every name is synthetic (tests.protect.helpers).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from svidok.api import create_app
from svidok.evidence.service import AcquisitionInfo, StoredFile, record_derivative, record_extraction, register_acquisitions
from svidok.records.cases import create_case, link_incident
from svidok.records.incidents import create_incident
from svidok.records.places import create_place
from tests.protect.helpers import PASSWORD, Account, account, admin, totp_now


@dataclass
class WebWorld:
    ws: Any
    incidents: dict[str, list[str]] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    previews: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)


def _evidence(ws: Any, txn: Any, case: str) -> tuple[str, str]:
    put = ws.blobs.put_bytes(f"Synthetic statement recorded for {case}.".encode())
    reg = register_acquisitions(txn, AcquisitionInfo(case_ref=case, collector="Synthetic team 1"), [
        StoredFile(path=f"/field/{case}/statement.txt".encode(), display=f"/field/{case}/statement.txt", digest=put.digest, size=put.size)
    ])[0]  # fmt: skip
    record_extraction(txn, put.digest, mime="text/plain", results=[])
    return str(reg.item_id), put.digest


def _preview(ws: Any, txn: Any, original: str, shade: int) -> str:
    """A synthetic PNG preview (a colour gradient) linked to ``original``; its digest."""
    import io

    from PIL import Image

    img = Image.new("RGB", (64, 48))
    img.putdata([(x * 4, y * 5, shade) for y in range(48) for x in range(64)])
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    put = ws.blobs.put_bytes(buf.getvalue())
    record_derivative(txn, original, digest=put.digest, kind="preview", mime="image/png", size=put.size, tool="test",
                      tool_version="1", settings={"max_px": 64})  # fmt: skip
    return str(put.digest)


@pytest.fixture
def web_world(ws: Any) -> WebWorld:
    admin(ws)
    w = WebWorld(ws)
    with ws.transaction("test:setup") as txn:
        for case, (lat, lon), kinds in (("WEB-A", (49.5, 36.1), ("shelling", "detention")), ("WEB-B", (47.1, 37.5), ("looting",))):
            create_case(txn, case, {"title": f"Synthetic case {case}", "case_type": "unlawful_killing"})
            place_id = create_place(txn, {"name": f"Синтетичне {case[-1]}", "place_type": "settlement", "lat": lat, "lon": lon})
            w.incidents[case] = []
            for n, kind in enumerate(kinds):
                inc = create_incident(txn, {"title": f"Synthetic {kind} {case}", "incident_type": kind, "date": f"2022-0{3 + n}-1{n}",
                                            "place_id": place_id})  # fmt: skip
                link_incident(txn, case, inc)
                w.incidents[case].append(inc)
            w.evidence[case], original = _evidence(ws, txn, case)
            w.previews[case] = _preview(ws, txn, original, shade=ord(case[-1]))
    w.accounts["inv_a"] = account(ws, "inv_a", "investigator", ("WEB-A",))
    w.accounts["inv_b"] = account(ws, "inv_b", "investigator", ("WEB-B",))
    w.accounts["boss"] = account(ws, "boss", "administrator")
    return w


def sign_in_as(client: Any, world: WebWorld, user: str) -> Any:
    """Sign in with the account's password and current TOTP code (where it has a second factor)."""
    secret = world.accounts[user].totp_secret
    r = sign_in(client, user, totp_now(secret) if secret else None)
    assert r.status_code == 303, r.text
    return r


@pytest.fixture
def web(ws: Any) -> Iterator[Any]:
    """A test client of the whole app (API and web), not signed in, not following redirects."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    with TestClient(create_app(ws, process_uploads=False), follow_redirects=False) as c:
        yield c


def sign_in(client: Any, user: str, totp: str | None = None, password: str = PASSWORD) -> Any:
    """Post the sign-in form; the response."""
    return client.post("/web/signin", data={"user": user, "password": password, "totp": totp or "", "next": "/web/"})
