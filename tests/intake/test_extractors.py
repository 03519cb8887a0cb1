"""The extractor plug-ins and their isolated runner.

Real camera files come from the shared test data and are checked against what ExifTool 12.57
read from them (``exif-samples-expected.json``); everything else is generated synthetically.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from svidok.errors import FormatError, InputError, NotFound
from svidok.intake.extractors import (
    EXTRACTORS,
    Extraction,
    Extractor,
    extractors_for,
    register,
    unregister,
)
from svidok.intake.extractors._dates import exif_datetime, iso_datetime, pdf_datetime
from svidok.intake.extractors._iso6709 import parse_iso6709
from svidok.intake.extractors._xmp import parse_xmp
from svidok.intake.extractors.c2pa import C2PA_MIMES, extract_c2pa
from svidok.intake.extractors.exif import extract_exif
from svidok.intake.extractors.media import extract_media
from svidok.intake.extractors.mime import UNKNOWN_MIME, sniff_mime
from svidok.intake.extractors.pdf import extract_pdf
from svidok.intake.extractors.runner import ExtractorRunner, close, run_extractors

from .conftest import XMP_TEMPLATE, exif_bytes, scene

EXPECTED_FILE = "exif-samples-expected.json"


def _by_name(extractions: list[Extraction], name: str) -> Extraction:
    matches = [e for e in extractions if e.extractor == name]
    assert len(matches) == 1, [e.extractor for e in extractions]
    return matches[0]


# --- extractors defined for the hostile-runner tests (importable, so picklable) ------------


class SleepsForever:
    """Simulates a parser stuck in an infinite loop."""

    name = "test-sleeps-forever"
    version = "0"

    def accepts(self, mime: str) -> bool:
        return mime == "image/jpeg"

    def extract(self, path: Path) -> dict[str, Any]:
        while True:
            time.sleep(3600)


class Segfaults:
    """Simulates a C parser crashing with SIGSEGV."""

    name = "test-segfaults"
    version = "0"

    def accepts(self, mime: str) -> bool:
        return True

    def extract(self, path: Path) -> dict[str, Any]:
        ctypes.string_at(0)  # reads address 0: SIGSEGV
        return {}


class AllocatesTooMuch:
    """Simulates an allocation storm (decompression into memory)."""

    name = "test-allocates"
    version = "0"

    def accepts(self, mime: str) -> bool:
        return True

    def extract(self, path: Path) -> dict[str, Any]:
        blob = bytearray(8 * 1024**3)
        return {"size": len(blob)}


class ReturnsNonJson:
    name = "test-non-json"
    version = "0"

    def accepts(self, mime: str) -> bool:
        return True

    def extract(self, path: Path) -> dict[str, Any]:
        return {"value": float("nan")}


class Raises:
    name = "test-raises"
    version = "0"

    def accepts(self, mime: str) -> bool:
        return True

    def extract(self, path: Path) -> dict[str, Any]:
        raise ValueError("parser says no")


def _worker_pid() -> int:
    return os.getpid()


# --- registry ---------------------------------------------------------------------------------


def test_builtin_extractors_are_registered_in_order() -> None:
    assert [e.name for e in EXTRACTORS][:4] == ["exif", "media", "pdf", "c2pa"]
    for extractor in EXTRACTORS:
        assert isinstance(extractor, Extractor)
        assert extractor.version.startswith("1.0.0 (")


def test_extractors_for_selects_by_mime() -> None:
    assert [e.name for e in extractors_for("image/jpeg")] == ["exif", "c2pa"]
    assert [e.name for e in extractors_for("image/heic")] == ["exif", "c2pa"]
    assert [e.name for e in extractors_for("video/mp4")] == ["media", "c2pa"]
    assert [e.name for e in extractors_for("audio/x-wav")] == ["media", "c2pa"]
    assert [e.name for e in extractors_for("application/pdf; charset=binary")] == ["pdf", "c2pa"]
    assert extractors_for("text/plain") == []


def test_register_refuses_duplicates_and_non_extractors() -> None:
    with pytest.raises(InputError):
        register(object())  # type: ignore[arg-type]
    with pytest.raises(InputError):
        register(EXTRACTORS[0])
    register(Raises())
    try:
        assert "test-raises" in [e.name for e in extractors_for("anything/at-all")]
    finally:
        unregister("test-raises")
    assert "test-raises" not in [e.name for e in EXTRACTORS]


def test_c2pa_mime_list_is_supported_by_the_sdk() -> None:
    import c2pa

    supported = set(c2pa.Reader.get_supported_mime_types())
    aliases = {"image/x-adobe-dng", "audio/x-m4a", "audio/x-flac", "image/x-webp"}
    assert C2PA_MIMES - aliases <= supported


# --- MIME sniffing ----------------------------------------------------------------------------


def test_sniff_mime_reads_content_not_names(
    tmp_path: Path, make_jpeg: Callable[..., Path], make_pdf: Callable[..., Path],
    make_mp4: Callable[..., Path],
) -> None:
    jpeg = make_jpeg(name="looks-like.pdf")
    assert sniff_mime(jpeg) == "image/jpeg"
    assert sniff_mime(make_pdf(name="no-extension")) == "application/pdf"
    assert sniff_mime(make_mp4()) == "video/mp4"
    png = tmp_path / "x.jpg"
    scene(2, (32, 32)).save(png, "PNG")
    assert sniff_mime(png) == "image/png"
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert sniff_mime(empty) == UNKNOWN_MIME
    with pytest.raises(NotFound):
        sniff_mime(tmp_path / "missing")


# --- date, ISO 6709 and XMP helpers -------------------------------------------------------------


def test_exif_datetime_with_offset_and_subseconds() -> None:
    got = exif_datetime("2024:05:06 07:08:09", "+03:00", "123", source="t")
    assert got is not None
    assert got["iso"] == "2024-05-06T07:08:09.123+03:00"
    assert got["utc"] == "2024-05-06T04:08:09Z"
    assert got["zone_known"] is True


def test_exif_datetime_without_offset_says_zone_unknown() -> None:
    got = exif_datetime("2008:10:22 16:43:21", None, None, source="t")
    assert got is not None
    assert got["iso"] == "2008-10-22T16:43:21"
    assert got["zone_known"] is False and got["utc_offset"] is None
    assert "unknown" in got["zone_note"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("0000:00:00 00:00:00", "all zero"), ("2008:13:01 10:00:00", "impossible"), ("yesterday", "not in")],
)
def test_exif_datetime_invalid_values_keep_raw_and_say_why(raw: str, reason: str) -> None:
    got = exif_datetime(raw, source="t")
    assert got is not None and got["iso"] is None and got["raw"] == raw
    assert reason in got["invalid"]


def test_exif_datetime_blank_means_absent() -> None:
    assert exif_datetime("    :  :     :  :  ", source="t") is None


def test_iso_and_pdf_dates() -> None:
    q = iso_datetime("2024-03-01T12:20:30+0200", source="t")
    assert q is not None and q["iso"] == "2024-03-01T12:20:30+02:00" and q["utc"] == "2024-03-01T10:20:30Z"
    partial = iso_datetime("2013-09", source="t")
    assert partial is not None and partial["iso"] == "2013-09" and partial["precision"] == "month"
    p = pdf_datetime("D:20240301102030-05'30'", source="t")
    assert p is not None and p["iso"] == "2024-03-01T10:20:30-05:30"
    z = pdf_datetime("D:20240301102030Z", source="t")
    assert z is not None and z["utc_offset"] == "+00:00"
    local = pdf_datetime("D:20240301102030", source="t")
    assert local is not None and local["zone_known"] is False


@pytest.mark.parametrize(
    ("text", "lat", "lon", "alt"),
    [
        ("+50.4501+030.5234+120.000/", 50.4501, 30.5234, 120.0),
        ("+37.3349-122.0091/", 37.3349, -122.0091, None),
        ("+4024.7-07359.6/", 40 + 24.7 / 60, -(73 + 59.6 / 60), None),
        ("-334530.5+0183000.0-12.5CRSWGS_84/", -(33 + 45 / 60 + 30.5 / 3600), 18.5, -12.5),
    ],
)
def test_iso6709_degrees_minutes_seconds(text: str, lat: float, lon: float, alt: float | None) -> None:
    point = parse_iso6709(text)
    assert point is not None
    assert point["latitude"] == pytest.approx(lat, abs=1e-9)
    assert point["longitude"] == pytest.approx(lon, abs=1e-9)
    assert point["altitude"] == alt


@pytest.mark.parametrize("text", ["", "garbage", "+91.0+000.0/", "+45.0+181.0/", "+4575.0+01000.0/"])
def test_iso6709_rejects_invalid_points(text: str) -> None:
    assert parse_iso6709(text) is None


def test_xmp_packet_fields_and_gps() -> None:
    xmp = parse_xmp(XMP_TEMPLATE)
    props = xmp["properties"]
    assert props["xmp:CreatorTool"] == "SynthEditor 1.0"
    assert props["dc:creator"] == ["Test Author Alpha"]
    assert props["dc:title"] == "Synthetic scene"
    assert xmp["dates"]["xmp:CreateDate"]["iso"] == "2024-05-06T07:08:09+03:00"
    assert xmp["gps"]["latitude"] == pytest.approx(50 + 27.006 / 60)
    assert xmp["gps"]["longitude"] == pytest.approx(30 + 31.404 / 60)
    assert xmp["gps"]["altitude"] == pytest.approx(179.5)


def test_xmp_with_doctype_is_refused() -> None:
    evil = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>')
    with pytest.raises(ValueError, match="DOCTYPE"):
        parse_xmp(evil)


# --- EXIF on real camera files (ExifTool's readings as the reference) ---------------------------


def _expected(testdata: Path) -> dict[str, dict[str, Any]]:
    return json.loads((testdata / EXPECTED_FILE).read_text())


def test_every_real_sample_matches_exiftool(testdata: Path, runner: ExtractorRunner) -> None:
    expected = _expected(testdata)
    assert len(expected) >= 16
    checked = {"gps": 0, "datetime": 0, "make": 0}
    for relative, want in sorted(expected.items()):
        path = testdata / "exif-samples" / relative
        mime, extractions = runner.run(path)
        exif = _by_name(extractions, "exif")
        assert exif.ok, (relative, exif.error)
        data = exif.data
        gps = data.get("gps", {})
        if "GPSLatitude" in want:
            assert gps["latitude"] == pytest.approx(want["GPSLatitude"], abs=1e-5), relative
            assert gps["longitude"] == pytest.approx(want["GPSLongitude"], abs=1e-5), relative
            checked["gps"] += 1
        else:
            assert "latitude" not in gps and "longitude" not in gps, relative
        if "DateTimeOriginal" in want:
            assert data["datetime_original"]["raw"] == want["DateTimeOriginal"], relative
            assert data["datetime_original"]["iso"].startswith(
                want["DateTimeOriginal"].replace(":", "-", 2).replace(" ", "T")), relative
            assert data["datetime_original"]["zone_known"] is False  # none of them has an offset
            checked["datetime"] += 1
        else:
            assert "datetime_original" not in data, relative
        for key, field in (("Make", "make"), ("Model", "model")):
            if key in want:
                assert data[field] == want[key].strip(), relative
                checked["make"] += 1
            else:
                assert field not in data, relative
        assert json.dumps([e.to_dict() for e in extractions], allow_nan=False)
    assert checked == {"gps": 5, "datetime": 10, "make": 20}


def test_heif_sample_is_read(testdata: Path, runner: ExtractorRunner) -> None:
    mime, extractions = runner.run(testdata / "exif-samples" / "heic" / "samplefilehub.heif")
    assert mime in ("image/heic", "image/heif")
    exif = _by_name(extractions, "exif")
    assert exif.ok, exif.error
    assert exif.data["format"] == "HEIF"
    assert (exif.data["width"], exif.data["height"]) == (640, 426)
    assert exif.data["has_exif"] is True
    assert exif.data["xmp"]["properties"]["tiff:Orientation"] == "1"


def test_gps_time_and_datum_of_a_real_file(testdata: Path) -> None:
    data = extract_exif(testdata / "exif-samples" / "jpg" / "gps" / "DSCN0025.jpg")
    gps = data["gps"]
    assert gps["timestamp_utc"] == "2008-10-23T14:41:49.03Z"
    assert gps["map_datum"] == "WGS-84"
    assert gps["satellites"] == "05"


def test_gps_ifd_without_coordinates_invents_nothing(testdata: Path) -> None:
    data = extract_exif(testdata / "exif-samples" / "jpg" / "Canon_40D.jpg")
    assert data["gps"] == {"version": "2.2.0.0"}


def test_xmp_only_file_has_no_invented_exif_orientation(testdata: Path) -> None:
    # Pillow reports tiff:Orientation from XMP as if it were EXIF; we must not.
    data = extract_exif(testdata / "exif-samples" / "jpg" / "invalid" / "image00971.jpg")
    assert data["has_exif"] is False
    assert "orientation" not in data
    assert data["xmp"]["dates"]["xmp:CreateDate"]["iso"] == "2010-04-13T09:37:22+02:00"


# --- EXIF on synthetic files ------------------------------------------------------------------


def test_synthetic_exif_with_offset_gps_altitude_serial(make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg(exif=exif_bytes(
        when="2024:05:06 07:08:09", offset="+03:00", subsec="25",
        lat=-33.856784, lon=-70.648273, alt=-12.5, gps_time=(4, 8, 9.5), gps_date="2024:05:06",
        orientation=6, serial="SN-000123", lens="Synth 24mm f/2",
    ))
    data = extract_exif(path)
    assert data["make"] == "SynthCam" and data["model"] == "Model Z"
    assert data["software"] == "SynthFirmware 2.1"
    assert data["body_serial_number"] == "SN-000123"
    assert data["lens_model"] == "Synth 24mm f/2"
    assert data["orientation"] == 6 and data["orientation_text"] == "Rotate 90 CW"
    taken = data["datetime_original"]
    assert taken["iso"] == "2024-05-06T07:08:09.25+03:00"
    assert taken["utc"] == "2024-05-06T04:08:09Z"
    assert taken["zone_known"] is True
    gps = data["gps"]
    assert gps["latitude"] == pytest.approx(-33.856784, abs=1e-6)
    assert gps["longitude"] == pytest.approx(-70.648273, abs=1e-6)
    assert gps["altitude"] == pytest.approx(-12.5) and gps["altitude_ref"] == 1
    assert gps["timestamp_utc"] == "2024-05-06T04:08:09.5Z"
    assert (data["width"], data["height"]) == (640, 480)


def test_coordinates_without_reference_are_not_signed(make_jpeg: Callable[..., Path]) -> None:
    import piexif

    block = piexif.dump({"0th": {}, "Exif": {}, "1st": {}, "thumbnail": None, "GPS": {
        piexif.GPSIFD.GPSLatitude: ((10, 1), (30, 1), (0, 1)),
        piexif.GPSIFD.GPSLongitude: ((20, 1), (0, 1), (0, 1)),
    }})
    data = extract_exif(make_jpeg(exif=block))
    assert "latitude" not in data["gps"] and "longitude" not in data["gps"]
    assert data["gps"]["latitude_unsigned"] == pytest.approx(10.5)
    assert any("no valid reference" in w for w in data["warnings"])


def test_zero_denominator_rational_is_a_warning_not_a_value(make_jpeg: Callable[..., Path]) -> None:
    import piexif

    block = piexif.dump({"0th": {}, "Exif": {}, "1st": {}, "thumbnail": None, "GPS": {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: ((0, 0), (0, 0), (0, 0)),
        piexif.GPSIFD.GPSLongitudeRef: b"E",
        piexif.GPSIFD.GPSLongitude: ((0, 0), (0, 0), (0, 0)),
    }})
    data = extract_exif(make_jpeg(exif=block))
    assert "latitude" not in data["gps"]
    assert data["warnings"]
    json.dumps(data, allow_nan=False)


def test_xmp_in_jpeg_png_and_webp(tmp_path: Path, make_jpeg: Callable[..., Path]) -> None:
    from PIL import PngImagePlugin

    jpeg = make_jpeg(xmp=XMP_TEMPLATE)
    png = tmp_path / "x.png"
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_TEMPLATE)
    scene(3, (64, 48)).save(png, "PNG", pnginfo=info)
    webp = tmp_path / "x.webp"
    scene(3, (64, 48)).save(webp, "WEBP", xmp=XMP_TEMPLATE.encode(),
                            exif=exif_bytes(when="2023:01:02 03:04:05"))
    for path in (jpeg, png, webp):
        data = extract_exif(path)
        assert data["xmp"]["gps"]["latitude"] == pytest.approx(50 + 27.006 / 60), path.suffix
        assert data["xmp"]["dates"]["xmp:CreateDate"]["zone_known"] is True, path.suffix
    assert extract_exif(webp)["datetime_original"]["iso"] == "2023-01-02T03:04:05"


def test_hostile_xmp_in_an_image_is_recorded_not_fatal(make_jpeg: Callable[..., Path]) -> None:
    evil = '<!DOCTYPE x [<!ENTITY a "a">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&a;</x:xmpmeta>'
    data = extract_exif(make_jpeg(xmp=evil, exif=exif_bytes()))
    assert "DOCTYPE" in data["xmp"]["error"]
    assert data["make"] == "SynthCam"


# --- media --------------------------------------------------------------------------------------


def test_media_container_tags_location_and_streams(make_mp4: Callable[..., Path]) -> None:
    path = make_mp4(tags={
        "creation_time": "2024-03-01T10:20:30.000000Z",
        "location": "+50.4501+030.5234+120.000/",
        "com.apple.quicktime.location.ISO6709": "+50.4501+030.5234+120.000/",
        "com.apple.quicktime.make": "SynthCam",
        "com.apple.quicktime.model": "Model Z",
        "com.apple.quicktime.creationdate": "2024-03-01T12:20:30+0200",
    })
    data = extract_media(path)
    assert data["creation_time"]["iso"].startswith("2024-03-01T10:20:30")
    assert data["creation_time"]["utc"] == "2024-03-01T10:20:30Z"
    assert "local time" in data["creation_time"]["caveat"]
    assert data["capture_time"]["iso"] == "2024-03-01T12:20:30+02:00"
    loc = data["location"]
    assert (loc["latitude"], loc["longitude"], loc["altitude"]) == (50.4501, 30.5234, 120.0)
    assert loc["source_tag"] == "com.apple.quicktime.location.ISO6709"
    assert data["make"] == "SynthCam" and data["model"] == "Model Z"
    assert data["video_codecs"] == ["mpeg4"] and data["audio_codecs"] == []
    assert (data["width"], data["height"]) == (96, 64)
    assert data["duration_seconds"] == pytest.approx(0.6, abs=0.11)
    assert data["streams"][0]["frames"] == 6
    json.dumps(data, allow_nan=False)


def test_media_location_from_user_data_xyz_atom(make_mp4: Callable[..., Path]) -> None:
    # Without use_metadata_tags FFmpeg writes "location" into the QuickTime udta ©xyz atom,
    # as decimal degrees (it reformats the value it is given).
    import av

    path = make_mp4(name="plain.mp4")
    rewritten = path.with_name("xyz.mp4")
    with av.open(str(path)) as src, av.open(str(rewritten), "w", format="mp4") as dst:
        dst.metadata["location"] = "-33.8085+018.5000/"
        out_stream = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is None:
                continue
            packet.stream = out_stream
            dst.mux(packet)
    data = extract_media(rewritten)
    assert data["location"]["latitude"] == pytest.approx(-33.8085)
    assert data["location"]["longitude"] == pytest.approx(18.5)
    assert data["location"]["source_tag"] in ("location", "location-eng")


def test_audio_file_through_the_runner(tmp_path: Path, runner: ExtractorRunner) -> None:
    import av
    import numpy as np

    path = tmp_path / "tone.wav"
    with av.open(str(path), "w", format="wav") as out:
        out.metadata["title"] = "Synthetic tone"
        stream = out.add_stream("pcm_s16le", rate=8000, layout="mono")
        wave = (np.sin(2 * np.pi * 440 * np.arange(8000) / 8000) * 10000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    mime, results = runner.run(path)
    assert mime == "audio/x-wav"
    media = _by_name(results, "media")
    assert media.ok, media.error
    assert media.data["audio_codecs"] == ["pcm_s16le"] and media.data["video_codecs"] == []
    assert media.data["streams"][0]["sample_rate"] == 8000
    assert media.data["duration_seconds"] == pytest.approx(1.0, abs=0.01)
    assert media.data["tags"]["title"] == "Synthetic tone"
    assert _by_name(results, "c2pa").data == {"present": False}


def test_media_reports_display_rotation(make_mp4: Callable[..., Path]) -> None:
    data = extract_media(make_mp4(rotation=90))
    assert data["rotation"] == 90


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_document_information(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf(info={
        "/Title": "Synthetic field report 7",
        "/Author": "Test Author Alpha",
        "/Creator": "SynthWriter",
        "/Producer": "SynthPDF 1.2",
        "/CreationDate": "D:20240301102030+02'00'",
        "/ModDate": "D:20240302",
        "/CaseRef": "TEST-0001",
    })
    data = extract_pdf(path)
    assert data["title"] == "Synthetic field report 7"
    assert data["author"] == "Test Author Alpha"
    assert data["creator"] == "SynthWriter" and data["producer"] == "SynthPDF 1.2"
    assert data["creation_date"]["iso"] == "2024-03-01T10:20:30+02:00"
    assert data["mod_date"]["iso"] == "2024-03-02" and data["mod_date"]["zone_known"] is False
    assert data["pages"] == 3
    assert data["encrypted"] is False
    assert data["custom_info"] == {"CaseRef": "TEST-0001"}


def test_pdf_xmp_metadata_stream(make_pdf: Callable[..., Path]) -> None:
    data = extract_pdf(make_pdf(xmp=XMP_TEMPLATE))
    assert data["xmp"]["dates"]["xmp:CreateDate"]["iso"] == "2024-05-06T07:08:09+03:00"
    assert data["xmp"]["properties"]["dc:creator"] == ["Test Author Alpha"]


def test_pdf_encrypted_with_unknown_password(make_pdf: Callable[..., Path]) -> None:
    data = extract_pdf(make_pdf(info={"/Title": "Hidden"}, user_password="s3cret"))
    assert data["encrypted"] is True
    assert data["opened_with_empty_password"] is False
    assert "title" not in data


def test_pdf_with_owner_password_only_is_read(make_pdf: Callable[..., Path]) -> None:
    data = extract_pdf(make_pdf(info={"/Title": "Readable"}, user_password=""))
    assert data["encrypted"] is True and data["opened_with_empty_password"] is True
    assert data["title"] == "Readable" and data["pages"] == 3


# --- C2PA ---------------------------------------------------------------------------------------


def test_c2pa_manifest_summary(c2pa_signed_jpeg: Path) -> None:
    data = extract_c2pa(c2pa_signed_jpeg)
    assert data["present"] is True and data["embedded"] is True
    assert data["active_manifest"].startswith("urn:")
    assert data["claim_generator"] == "svidok-test-camera/0.1"
    assert any(label.startswith("c2pa.actions") for label in data["assertions"])
    assert data["actions"][0]["action"] == "c2pa.created"
    assert data["signature"]["issuer"] == "Svidok Test CA"
    assert data["signature"]["common_name"] == "Synthetic Signer"
    assert data["validation_state"] == "Valid"  # signature and hashes check out
    assert "signingCredential.untrusted" in data["validation_status"]  # no trust list given


def test_c2pa_detects_tampering(tmp_path: Path, c2pa_signed_jpeg: Path) -> None:
    tampered = bytearray(c2pa_signed_jpeg.read_bytes())
    tampered[-300] ^= 0xFF  # inside the image data, after the manifest
    path = tmp_path / "tampered.jpg"
    path.write_bytes(bytes(tampered))
    data = extract_c2pa(path)
    assert data["present"] is True
    assert data["validation_state"] == "Invalid"
    assert "assertion.dataHash.mismatch" in data["validation_failures"]


def test_c2pa_absent(make_jpeg: Callable[..., Path], make_pdf: Callable[..., Path]) -> None:
    assert extract_c2pa(make_jpeg()) == {"present": False}
    assert extract_c2pa(make_pdf()) == {"present": False}


# --- the runner ---------------------------------------------------------------------------------


def test_runner_runs_accepting_extractors(
    runner: ExtractorRunner, make_jpeg: Callable[..., Path], make_mp4: Callable[..., Path],
    make_pdf: Callable[..., Path], c2pa_signed_jpeg: Path,
) -> None:
    mime, results = runner.run(make_jpeg(exif=exif_bytes()))
    assert mime == "image/jpeg"
    assert [(e.extractor, e.ok) for e in results] == [("exif", True), ("c2pa", True)]
    assert _by_name(results, "c2pa").data == {"present": False}
    assert _by_name(results, "exif").version == EXTRACTORS[0].version
    mime, results = runner.run(make_mp4())
    assert mime == "video/mp4" and [e.extractor for e in results] == ["media", "c2pa"]
    assert all(e.ok for e in results)
    mime, results = runner.run(make_pdf())
    assert mime == "application/pdf" and _by_name(results, "pdf").data["pages"] == 3
    _, results = runner.run(c2pa_signed_jpeg)
    assert _by_name(results, "c2pa").data["present"] is True
    # a given MIME type is used as is
    mime, results = runner.run(make_pdf(name="again.pdf"), mime="text/plain")
    assert mime == "text/plain" and results == []


def test_runner_on_missing_path_raises_not_found(runner: ExtractorRunner, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        runner.run(tmp_path / "nope.jpg")


def test_decompression_bomb_png_is_a_recorded_error(
    runner: ExtractorRunner, make_bomb_png: Callable[..., Path]
) -> None:
    path = make_bomb_png()
    assert path.stat().st_size < 2000
    started = time.monotonic()
    mime, results = runner.run(path)
    assert mime == "image/png"
    exif = _by_name(results, "exif")
    assert exif.ok is False
    assert exif.error is not None and exif.error.startswith("DecompressionBombError")
    assert "10000000000 pixels" in exif.error
    assert time.monotonic() - started < 10


def test_an_extractor_that_raises_is_recorded(runner: ExtractorRunner, make_jpeg: Callable[..., Path]) -> None:
    _, results = runner.run(make_jpeg(), extractors=[Raises(), ReturnsNonJson()])
    assert results[0].ok is False and results[0].error == "ValueError: parser says no"
    assert results[1].ok is False and "not JSON-safe" in (results[1].error or "")


def test_hanging_extractor_is_killed_and_the_runner_recovers(make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg(exif=exif_bytes())
    register(SleepsForever())
    try:
        with ExtractorRunner(timeout=2.0) as isolated:
            first_pid = isolated.call(_worker_pid, timeout=60)
            started = time.monotonic()
            mime, results = isolated.run(path)
            elapsed = time.monotonic() - started
            stuck = _by_name(results, "test-sleeps-forever")
            assert stuck.ok is False and "timed out after 2 s" in (stuck.error or "")
            assert 2.0 <= stuck.seconds < 10
            # the other extractors still ran, before and after the stuck one
            assert _by_name(results, "exif").ok and _by_name(results, "c2pa").ok
            assert elapsed < 20
            unregister("test-sleeps-forever")
            _, again = isolated.run(path)
            assert [e.ok for e in again] == [True, True]
            assert isolated.call(_worker_pid, timeout=60) != first_pid
            assert isolated.workers_started == 2
    finally:
        unregister("test-sleeps-forever")


def test_crashing_extractor_is_recorded_and_the_runner_recovers(make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg(exif=exif_bytes())
    with ExtractorRunner(timeout=10.0) as isolated:
        _, results = isolated.run(path, extractors=[Segfaults(), EXTRACTORS[0]])
        assert results[0].ok is False
        assert results[0].error is not None and "SIGSEGV" in results[0].error
        assert results[1].ok is True and results[1].data["make"] == "SynthCam"


def test_memory_storm_fails_inside_the_worker(make_jpeg: Callable[..., Path]) -> None:
    with ExtractorRunner(timeout=20.0, memory_limit=2 * 1024**3) as isolated:
        _, results = isolated.run(make_jpeg(), extractors=[AllocatesTooMuch(), EXTRACTORS[0]])
        assert results[0].ok is False and "MemoryError" in (results[0].error or "")
        assert results[1].ok is True
        assert isolated.workers_started == 2  # a worker that ran out of memory is replaced


def test_call_raises_format_error_on_timeout() -> None:
    with ExtractorRunner(timeout=1.0) as isolated:
        with pytest.raises(FormatError) as caught:
            isolated.call(time.sleep, 30)
        assert "timed out" in caught.value.fields["reason"]
        assert isolated.call(sum, [1, 2, 3]) == 6


def test_closed_runner_refuses_work(make_jpeg: Callable[..., Path]) -> None:
    isolated = ExtractorRunner()
    isolated.close()
    with pytest.raises(InputError):
        isolated.run(make_jpeg())


def test_module_level_run_extractors_and_close(make_jpeg: Callable[..., Path]) -> None:
    mime, results = run_extractors(make_jpeg(exif=exif_bytes()))
    assert mime == "image/jpeg" and all(e.ok for e in results)
    close()
    mime, results = run_extractors(make_jpeg(exif=exif_bytes()))  # a new shared worker
    assert all(e.ok for e in results)
    close()


# --- hostile and damaged real files ---------------------------------------------------------------


def _hostile_variants(testdata: Path, out: Path) -> list[Path]:
    """Broken samples, truncated copies and seeded byte-fuzzed copies of the real files."""
    samples = sorted((testdata / "exif-samples").rglob("*.*"))
    originals = [p for p in samples if p.suffix.lower() in (".jpg", ".jpeg", ".tiff", ".heif")]
    variants = [p for p in samples if "invalid" in p.parts]
    rng = random.Random(20240501)
    for source in originals:
        data = source.read_bytes()
        for fraction in (0.02, 0.1, 0.5, 0.9):
            cut = out / f"cut{int(fraction * 100)}-{source.name}"
            cut.write_bytes(data[: max(1, int(len(data) * fraction))])
            variants.append(cut)
    for index in range(50):
        source = originals[index % len(originals)]
        data = bytearray(source.read_bytes())
        # Damage mostly the metadata-bearing head, sometimes anywhere.
        span = min(len(data), 4096) if index % 3 else len(data)
        for _ in range(rng.randint(1, 40)):
            position = rng.randrange(2, span)
            data[position] = rng.randrange(256)
        if index % 5 == 0:
            start = rng.randrange(2, min(len(data), 2048))
            data[start : start + 8] = b"\xff\xff\xff\xff\x7f\xff\xff\xff"  # huge counts/offsets
        fuzzed = out / f"fuzz{index:02d}-{source.name}"
        fuzzed.write_bytes(bytes(data))
        variants.append(fuzzed)
    return variants


def test_damaged_truncated_and_fuzzed_files_never_raise_or_hang(
    testdata: Path, tmp_path: Path
) -> None:
    variants = _hostile_variants(testdata, tmp_path)
    assert len(variants) >= 3 + 13 * 4 + 50
    outcomes = {"ok": 0, "error": 0}
    started = time.monotonic()
    with ExtractorRunner(timeout=10.0) as isolated:
        for path in variants:
            t0 = time.monotonic()
            mime, results = isolated.run(path)
            assert time.monotonic() - t0 < 3 * 10.0 + 5, path.name
            for extraction in results:
                assert isinstance(extraction, Extraction)
                if extraction.ok:
                    outcomes["ok"] += 1
                    json.dumps(extraction.data, allow_nan=False)
                else:
                    outcomes["error"] += 1
                    assert extraction.error and extraction.data == {}
        workers = isolated.workers_started
    elapsed = time.monotonic() - started
    print(f"\n{len(variants)} hostile variants: {outcomes}, {workers} worker(s), {elapsed:.1f} s")
    assert outcomes["ok"] > 0
    assert elapsed < 300


# --- speed --------------------------------------------------------------------------------------


def test_small_jpegs_are_fast_through_the_persistent_worker(
    runner: ExtractorRunner, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg(exif=exif_bytes(lat=48.0, lon=37.8), image=scene(5, (320, 240)))
    runner.run(path)  # warm
    calls = 200
    started = time.perf_counter()
    for _ in range(calls):
        mime, results = runner.run(path)
    mean = (time.perf_counter() - started) / calls
    assert all(e.ok for e in results)
    print(f"\nrun_extractors on a small JPEG: mean {mean * 1000:.2f} ms over {calls} calls")
    assert mean < 0.1
