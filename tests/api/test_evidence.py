"""Evidence through the API: upload (the path of ``svidok ingest``), custody, and downloads of
the original with HTTP Range requests and digest checks. Uses a real camera file."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import warnings

import pytest

from svidok.api import create_app
from svidok.errors import IntegrityError

API = "/api/v1"
CASE = "TST-2022-EV1"


@pytest.fixture(autouse=True)
def case(client):
    """The case the files are acquired into (opened first: its members may add evidence)."""
    r = client.post(f"{API}/records/case", json={"id": CASE, "title": "Синтетична справа доказів", "case_type": "attack_on_civilians"})
    assert r.status_code == 201, r.text
    return CASE


@pytest.fixture
def camera_file(testdata):
    path = testdata / "exif-samples" / "jpg" / "Canon_40D.jpg"
    return path.name, path.read_bytes()


def _upload(client, name, data, **form):
    fields = {"case": CASE, "collector": "Investigator A (synthetic)", "device": "Laptop T-1", "method": "API upload", **form}
    return client.post(f"{API}/evidence", files={"file": (name, data, "image/jpeg")}, data=fields)


def _blob_count(ws):
    return sum(1 for _ in ws.blobs.iter_digests())


def test_an_uploaded_camera_file_is_stored_registered_and_served_with_ranges(client, ws, camera_file):
    name, data = camera_file
    up = _upload(client, name, data)
    assert up.status_code == 201, up.text
    body = up.json()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    assert (body["status"], body["case"], body["digest"], body["size"]) == ("stored", CASE, digest, len(data))
    item = body["item"]

    shown = client.get(f"{API}/evidence/{item}").json()
    assert (shown["digest"], shown["size"], shown["case"]) == (digest, len(data), CASE)
    acq = shown["acquisitions"][0]
    assert (acq["source_path"], acq["collector"], acq["device"], acq["method"]) == (
        f"upload:{name}", "Investigator A (synthetic)", "Laptop T-1", "API upload")
    assert [i["id"] for i in client.get(f"{API}/evidence", params={"case": CASE}).json()["items"]] == [item]

    url = f"{API}/evidence/{item}/content"
    whole = client.get(url, params={"purpose": "compare with the field copy"})
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["etag"] == f'"{digest}"'
    assert whole.headers["repr-digest"] == f"sha-256=:{base64.b64encode(hashlib.sha256(data).digest()).decode()}:"

    head = client.get(url, params={"purpose": "read the JPEG header"}, headers={"Range": "bytes=0-99"})
    assert head.status_code == 206 and head.content == data[:100]
    assert head.headers["content-range"] == f"bytes 0-99/{len(data)}" and head.headers["content-length"] == "100"
    tail = client.get(url, params={"purpose": "read the end marker"}, headers={"Range": "bytes=-2"})
    assert tail.status_code == 206 and tail.content == data[-2:] == b"\xff\xd9"
    middle = client.get(url, params={"purpose": "resume"}, headers={"Range": f"bytes=1000-{len(data) + 500}"})
    assert middle.status_code == 206 and middle.content == data[1000:]
    beyond = client.get(url, params={"purpose": "beyond"}, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(data)}"
    ignored = client.get(url, params={"purpose": "two ranges"}, headers={"Range": "bytes=0-1,5-6"})
    assert ignored.status_code == 200 and ignored.content == data

    custody = client.get(f"{API}/evidence/{item}/custody").json()["custody"]
    assert [e["type"] for e in custody] == ["evidence.acquired"] + ["custody.accessed"] * 5
    assert "compare with the field copy" in custody[1]["what"]
    assert custody[2]["payload"]["output"] == "HTTP download (bytes 0-99)"


def test_an_upload_goes_the_path_of_ingest_and_is_idempotent(client, ws, camera_file, testdata):
    from svidok.evidence.service import AcquisitionInfo
    from svidok.intake.ingest import ingest

    name, data = camera_file
    first = _upload(client, name, data).json()
    again = _upload(client, name, data).json()
    assert (again["status"], again["item"], again["index"]) == ("already-ingested", first["item"], None)
    info = AcquisitionInfo(CASE, "Investigator A (synthetic)", "Laptop T-1", "copy from card")
    summary = ingest(ws, [str(testdata / "exif-samples" / "jpg" / name).encode()], info, workers=1)
    out = summary.outcomes[0]
    assert (out.status, out.item, out.digest) == ("deduplicated", first["item"], first["digest"])
    acquisitions = client.get(f"{API}/evidence/{first['item']}").json()["acquisitions"]
    assert [a["method"] for a in acquisitions] == ["API upload", "copy from card"]


def test_metadata_is_extracted_after_an_upload_as_after_ingest(client, ws, camera_file):
    from fastapi.testclient import TestClient

    name, data = camera_file
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        processing = TestClient(create_app(ws, process_uploads=True), headers=dict(client.headers))
    with processing:
        up = _upload(processing, name, data)
        assert up.status_code == 201 and up.json()["processing"] == "scheduled"
    shown = client.get(f"{API}/evidence/{up.json()['item']}").json()
    assert shown["mime"] == "image/jpeg" and shown["metadata_state"] != "pending"
    exif = next(m for m in shown["metadata"] if m["extractor"] == "exif")
    assert exif["ok"] and "Canon" in str(exif["data"])


def test_a_corrupt_stored_copy_is_never_served_as_good(client, ws, camera_file):
    name, data = camera_file
    up = _upload(client, name, data).json()
    blob = ws.blobs.path(up["digest"])
    blob.chmod(0o644)
    blob.write_bytes(data[:-1] + b"\x00")
    url = f"{API}/evidence/{up['item']}/content"
    part = client.get(url, params={"purpose": "check"}, headers={"Range": "bytes=0-9"})
    assert part.status_code == 409 and "corrupt" in part.json()["detail"]
    sent, error = asyncio.run(_raw_get(client.app, url, "purpose=check", dict(client.headers)))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 200 and int(dict(start["headers"])[b"content-length"]) == len(data)
    assert len(body) < len(data), "the corrupt copy was sent in full"
    assert not any(m["type"] == "http.response.body" and not m.get("more_body") for m in sent), "the response was ended as complete"
    assert isinstance(error, IntegrityError) or isinstance(error.__context__, IntegrityError)


async def _raw_get(app, path, query, headers):
    """Call the ASGI app as a server would; the messages it sent and the error it raised."""
    sent = []
    requested = asyncio.Event()

    async def receive():
        if not requested.is_set():
            requested.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": ("testserver", 80), "client": ("127.0.0.1", 50000),
    }  # fmt: skip
    try:
        await app(scope, receive, send)
    except Exception as exc:  # what a server would log before closing the connection
        return sent, exc
    return sent, None


def test_bad_upload_fields_are_named_and_nothing_is_stored(client, ws, camera_file):
    name, data = camera_file
    before = (client.get(f"{API}/health").json()["ledger_size"], _blob_count(ws))
    r = client.post(f"{API}/evidence", files={"file": (name, data)}, data={"collector": "A"})
    assert r.status_code == 422 and ["body", "case"] in [d["loc"] for d in r.json()["detail"]]
    r = _upload(client, name, data, case="not a case ref!")
    assert r.status_code == 422 and ["body", "case"] in [d["loc"] for d in r.json()["detail"]]
    r = _upload(client, name, data, collected_at="last Tuesday")
    assert r.status_code == 422 and ["body", "collected_at"] in [d["loc"] for d in r.json()["detail"]]
    r = _upload(client, name, data, note="a\u0000b")
    assert r.status_code == 422 and ["body", "note"] in [d["loc"] for d in r.json()["detail"]]
    assert (client.get(f"{API}/health").json()["ledger_size"], _blob_count(ws)) == before


def test_a_download_states_its_purpose(client, camera_file):
    name, data = camera_file
    item = _upload(client, name, data).json()["item"]
    r = client.get(f"{API}/evidence/{item}/content")
    assert r.status_code == 422 and ["query", "purpose"] in [d["loc"] for d in r.json()["detail"]]
    bad = client.get(f"{API}/evidence/EV-123/content", params={"purpose": "x"})
    assert bad.status_code in (404, 422)
