"""Upload from the browser through the normal intake path, the evidence viewer's metadata,
custody, near-duplicates by PDQ hash and the recorded viewing of originals; the pure ranking
of :mod:`svidok.evidence.similar`."""

from __future__ import annotations

import io
import random
import re
from typing import Any

import pytest
import sqlalchemy as sa

from svidok.db.schema import acquisition, evidence_item
from svidok.errors import InputError
from svidok.evidence import similar
from tests.web.conftest import sign_in_as


def _jpeg(seed: int = 1, shift: int = 0, gps: bool = True) -> bytes:
    """A synthetic photo-like JPEG (smooth noise) with EXIF GPS of a made-up spot."""
    import piexif
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    small = Image.new("RGB", (16, 12))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(16 * 12)])
    img = small.resize((320, 240), Image.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    if shift:
        img = img.point(lambda v: min(255, v + shift))
    exif = {"0th": {piexif.ImageIFD.Make: b"SyntheticCam"}, "Exif": {piexif.ExifIFD.DateTimeOriginal: b"2022:03:15 10:20:00"}}
    if gps:
        exif["GPS"] = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: ((49, 1), (12, 1), (0, 1)),
                       piexif.GPSIFD.GPSLongitudeRef: b"E", piexif.GPSIFD.GPSLongitude: ((37, 1), (15, 1), (0, 1))}  # fmt: skip
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90, exif=piexif.dump(exif))
    return buf.getvalue()


def _upload(web: Any, files: list[tuple[str, bytes]], case: str = "WEB-A", fragment: bool = False, **fields: str) -> Any:
    data = {"case": case, "collector": "Synthetic team 2", "method": "photographed on site", "note": "test upload", **fields}
    parts = [("files", (name, body, "image/jpeg")) for name, body in files]
    return web.post("/web/upload" + ("?fragment=1" if fragment else ""), data=data, files=parts)


def _process(ws: Any) -> None:
    from svidok.intake.process import process_pending

    process_pending(ws)


def test_upload_needs_a_session(web: Any, web_world: Any) -> None:
    assert web.get("/web/upload").status_code == 303
    assert _upload(web, [("a.jpg", _jpeg())]).status_code == 303


def test_the_upload_page_has_a_labelled_file_input_and_my_cases(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    html = web.get("/web/upload").text
    assert '<label for="files">' in html and 'type="file" multiple' in html and "/web/static/upload.js" in html
    assert '<option value="WEB-A"' in html and "WEB-B" not in html
    assert web.get("/web/static/upload.js").status_code == 200


def test_upload_records_the_acquisition_and_the_page_shows_metadata_and_custody(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    r = _upload(web, [("field-photo.jpg", _jpeg())])
    assert r.status_code == 200, r.text
    ids = re.findall(r'href="/web/evidence/(EV-[0-9A-Z]+)"', r.text)
    assert len(ids) == 1 and 'data-testid="upload-result"' in r.text
    with ws.db.read() as s:
        item = s.execute(sa.select(evidence_item).where(evidence_item.c.id == ids[0])).one()
        acq = s.execute(sa.select(acquisition).where(acquisition.c.item_id == ids[0])).one()
    assert item.case_ref == "WEB-A" and acq.collector == "Synthetic team 2" and acq.method == "photographed on site"
    assert acq.source_path == "upload:field-photo.jpg" and acq.actor == "user:inv_a"
    _process(ws)  # the app of these tests does not process uploads in the background
    page = web.get(f"/web/evidence/{ids[0]}")
    assert page.status_code == 200
    assert "SyntheticCam" in page.text or "GPS" in page.text or "49.2" in page.text
    assert re.search(r"<td>\w[^<]* [0-9][^<]*</td><td>", page.text), "the extractor and its version are shown"
    assert "evidence.acquired" in page.text and "evidence.extracted" in page.text
    again = _upload(web, [("same-again.jpg", _jpeg())], fragment=True)
    assert again.status_code == 200 and again.text.count('data-testid="upload-result"') == 1 and ids[0] in again.text


def test_several_files_in_one_post_and_the_fragment_for_one(web: Any, web_world: Any) -> None:
    sign_in_as(web, web_world, "inv_a")
    r = _upload(web, [("a.jpg", _jpeg(1)), ("b.jpg", _jpeg(2)), ("c.txt", b"synthetic note")])
    assert r.status_code == 200 and r.text.count('data-testid="upload-result"') == 3
    one = _upload(web, [("d.jpg", _jpeg(3))], fragment=True)
    assert one.status_code == 200 and one.text.strip().startswith("<li") and "<html" not in one.text


def test_upload_into_another_compartment_is_refused(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    with ws.db.read() as s:
        n = s.execute(sa.select(sa.func.count()).select_from(evidence_item)).scalar()
    r = _upload(web, [("a.jpg", _jpeg())], case="WEB-B")
    assert r.status_code == 422 and 'id="case-error"' in r.text
    absent = _upload(web, [("a.jpg", _jpeg())], case="NO-SUCH-CASE")
    assert absent.status_code == 422
    assert _upload(web, [("a.jpg", _jpeg())], case="WEB-B", fragment=True).status_code == 422
    with ws.db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(evidence_item)).scalar() == n


@pytest.mark.parametrize(("fields", "files", "field"), [
    ({"case": ""}, [("a.jpg", b"x")], "case"), ({}, [], "files"), ({"collector": "bad\x00name"}, [("a.jpg", b"x")], "collector"),
])  # fmt: skip
def test_bad_upload_input_is_shown_by_its_field(web: Any, web_world: Any, fields: dict[str, str], files: Any, field: str) -> None:
    sign_in_as(web, web_world, "inv_a")
    data = {"case": "WEB-A", **fields}
    r = web.post("/web/upload", data=data, files=[("files", f) for f in files] or None)
    assert r.status_code == 422 and f'id="{field}-error"' in r.text


def test_near_duplicates_of_two_similar_images(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    r = _upload(web, [("one.jpg", _jpeg(7)), ("one-brighter.jpg", _jpeg(7, shift=12)), ("other.jpg", _jpeg(99))])
    a, b, c = re.findall(r'href="/web/evidence/(EV-[0-9A-Z]+)"', r.text)
    _process(ws)
    page = web.get(f"/web/evidence/{a}").text
    section = page.split('data-testid="near-duplicates"')[1].split("</section>")[0]
    assert "Near-duplicates" in page and f"/web/evidence/{b}" in section and f"/web/evidence/{c}" not in section
    d = int(re.search(rf'{b}</a></td><td>[^<]*</td><td>[^<]*</td><td class="n">(\d+)</td>', section).group(1))  # type: ignore[union-attr]
    assert 0 <= d <= similar.THRESHOLD


def test_near_duplicates_stay_inside_the_compartments(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_b")
    hidden = re.findall(r'href="/web/evidence/(EV-[0-9A-Z]+)"', _upload(web, [("b.jpg", _jpeg(7, shift=12))], case="WEB-B").text)[0]
    web.cookies.clear()
    sign_in_as(web, web_world, "inv_a")
    mine = re.findall(r'href="/web/evidence/(EV-[0-9A-Z]+)"', _upload(web, [("a.jpg", _jpeg(7))]).text)[0]
    _process(ws)
    assert hidden not in web.get(f"/web/evidence/{mine}").text
    assert web.get(f"/web/evidence/{hidden}").status_code == 404


def _pdf() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def test_a_pdf_original_is_shown_only_after_a_recorded_access(web: Any, web_world: Any) -> None:
    ws = web_world.ws
    sign_in_as(web, web_world, "inv_a")
    r = web.post("/web/upload", data={"case": "WEB-A"}, files=[("files", ("report.pdf", _pdf(), "application/pdf"))])
    item = re.findall(r'href="/web/evidence/(EV-[0-9A-Z]+)"', r.text)[0]
    _process(ws)
    page = web.get(f"/web/evidence/{item}").text
    if 'data-testid="original-viewer"' not in page:
        pytest.skip("the PDF was not recognised as application/pdf by the extractors here")
    assert web.post(f"/web/evidence/{item}/open", data={"purpose": ""}).status_code == 422
    opened = web.post(f"/web/evidence/{item}/open", data={"purpose": "checking the report's date"})
    assert opened.status_code == 200 and 'data-testid="pdf-viewer"' in opened.text
    src = re.search(r'src="(/web/evidence/[^"]+/original/[^"]+)"', opened.text).group(1)  # type: ignore[union-attr]
    body = web.get(src)
    assert body.status_code == 200 and body.content == _pdf() and body.headers["content-disposition"].startswith("inline")
    assert web.get(src, headers={"Range": "bytes=0-3"}).content == b"%PDF"
    custody = web.get(f"/web/evidence/{item}").text
    assert "custody.accessed" in custody and "checking the report&#39;s date" in custody
    assert web.get(src.rsplit("/", 1)[0] + "/forged").status_code == 404
    web.cookies.clear()
    sign_in_as(web, web_world, "inv_b")
    assert web.get(src).status_code == 404  # the grant is the user's own
    assert web.post(f"/web/evidence/{item}/open", data={"purpose": "curious"}).status_code == 404


def test_distance_and_rank_are_pure() -> None:
    zero, ones = "0" * 64, "f" * 64
    assert similar.distance(zero, ones) == 256 and similar.distance(zero, zero) == 0
    near = "0" * 63 + "7"  # 3 bits
    far = "0" * 56 + "ffffffff"  # 32 bits
    assert similar.rank(zero, [("b", near), ("a", near), ("c", far), ("d", zero)]) == [("d", 0), ("a", 3), ("b", 3)]
    assert similar.rank(zero, [("c", far)], threshold=32) == [("c", 32)]
    with pytest.raises(InputError):
        similar.distance(zero, "xyz")
