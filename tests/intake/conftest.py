"""Synthetic fixtures for the intake tests: every file is generated here, with made-up data.

No real person's name appears: authors and devices are invented ("Test Author Alpha",
"SynthCam"), and coordinates are arbitrary points.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from svidok.intake.extractors.runner import ExtractorRunner

XMP_TEMPLATE = """<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x='adobe:ns:meta/'>
 <rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
  <rdf:Description rdf:about=''
    xmlns:xmp='http://ns.adobe.com/xap/1.0/'
    xmlns:exif='http://ns.adobe.com/exif/1.0/'
    xmlns:dc='http://purl.org/dc/elements/1.1/'
    xmp:CreateDate='2024-05-06T07:08:09+03:00'
    xmp:CreatorTool='SynthEditor 1.0'>
   <exif:GPSLatitude>50,27.006N</exif:GPSLatitude>
   <exif:GPSLongitude>30,31.404E</exif:GPSLongitude>
   <exif:GPSAltitude>1795/10</exif:GPSAltitude>
   <exif:GPSAltitudeRef>0</exif:GPSAltitudeRef>
   <dc:creator><rdf:Seq><rdf:li>Test Author Alpha</rdf:li></rdf:Seq></dc:creator>
   <dc:title><rdf:Alt><rdf:li xml:lang='x-default'>Synthetic scene</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end='w'?>"""


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A smooth synthetic picture (random low-frequency field plus shapes) for a seed."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    image = Image.fromarray(coarse, "RGB").resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, size[0] * 4 // 5)), int(rng.integers(0, size[1] * 4 // 5))
        w = int(rng.integers(size[0] // 20 + 1, size[0] // 3 + 2))
        h = int(rng.integers(size[1] // 20 + 1, size[1] // 3 + 2))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.rectangle([x0, y0, x0 + w, y0 + h], fill=colour)
        else:
            draw.ellipse([x0, y0, x0 + w, y0 + h], fill=colour)
    return image


def _rational(value: float, den: int = 10000) -> tuple[int, int]:
    return (round(value * den), den)


def _dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    value = abs(value)
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    seconds = (minutes_full - minutes) * 60
    return ((degrees, 1), (minutes, 1), _rational(seconds))


def exif_bytes(
    *,
    make: str = "SynthCam",
    model: str = "Model Z",
    when: str | None = "2024:05:06 07:08:09",
    offset: str | None = None,
    subsec: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    alt: float | None = None,
    gps_time: tuple[int, int, float] | None = None,
    gps_date: str | None = None,
    orientation: int | None = None,
    serial: str | None = None,
    lens: str | None = None,
) -> bytes:
    """An EXIF block (piexif) with the given fields; everything else absent."""
    import piexif

    zeroth: dict[int, Any] = {
        piexif.ImageIFD.Make: make.encode(),
        piexif.ImageIFD.Model: model.encode(),
        piexif.ImageIFD.Software: b"SynthFirmware 2.1",
    }
    if orientation is not None:
        zeroth[piexif.ImageIFD.Orientation] = orientation
    exif: dict[int, Any] = {}
    if when is not None:
        exif[piexif.ExifIFD.DateTimeOriginal] = when.encode()
        exif[piexif.ExifIFD.DateTimeDigitized] = when.encode()
    if offset is not None:
        exif[piexif.ExifIFD.OffsetTimeOriginal] = offset.encode()
    if subsec is not None:
        exif[piexif.ExifIFD.SubSecTimeOriginal] = subsec.encode()
    if serial is not None:
        exif[piexif.ExifIFD.BodySerialNumber] = serial.encode()
    if lens is not None:
        exif[piexif.ExifIFD.LensModel] = lens.encode()
    gps: dict[int, Any] = {}
    if lat is not None:
        gps[piexif.GPSIFD.GPSLatitudeRef] = b"S" if lat < 0 else b"N"
        gps[piexif.GPSIFD.GPSLatitude] = _dms(lat)
    if lon is not None:
        gps[piexif.GPSIFD.GPSLongitudeRef] = b"W" if lon < 0 else b"E"
        gps[piexif.GPSIFD.GPSLongitude] = _dms(lon)
    if alt is not None:
        gps[piexif.GPSIFD.GPSAltitudeRef] = 1 if alt < 0 else 0
        gps[piexif.GPSIFD.GPSAltitude] = _rational(abs(alt), 100)
    if gps_time is not None:
        h, m, s = gps_time
        gps[piexif.GPSIFD.GPSTimeStamp] = ((h, 1), (m, 1), _rational(s, 100))
    if gps_date is not None:
        gps[piexif.GPSIFD.GPSDateStamp] = gps_date.encode()
    return piexif.dump({"0th": zeroth, "Exif": exif, "GPS": gps, "1st": {}, "thumbnail": None})


@pytest.fixture
def make_jpeg(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a JPEG of a synthetic scene with optional EXIF, XMP and comment."""
    counter = iter(range(10**6))

    def make(
        *,
        image: Image.Image | None = None,
        exif: bytes | None = None,
        xmp: str | None = None,
        comment: bytes | None = None,
        quality: int = 90,
        name: str | None = None,
    ) -> Path:
        path = tmp_path / (name or f"synthetic-{next(counter)}.jpg")
        kwargs: dict[str, Any] = {"quality": quality}
        if exif is not None:
            kwargs["exif"] = exif
        if xmp is not None:
            kwargs["xmp"] = xmp.encode("utf-8")
        if comment is not None:
            kwargs["comment"] = comment
        (image or scene(1)).save(path, "JPEG", **kwargs)
        return path

    return make


@pytest.fixture
def make_mp4(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a short MP4 (MPEG-4 Part 2) written by PyAV, with container tags."""
    import av

    def make(
        *,
        name: str = "clip.mp4",
        frames: int = 6,
        size: tuple[int, int] = (96, 64),
        tags: dict[str, str] | None = None,
        rotation: int | None = None,
        first_colour: tuple[int, int, int] = (220, 30, 30),
    ) -> Path:
        path = tmp_path / name
        options = {"movflags": "use_metadata_tags"} if tags else {}
        with av.open(str(path), "w", format="mp4", options=options) as out:
            for key, value in (tags or {}).items():
                out.metadata[key] = value
            stream = out.add_stream("mpeg4", rate=10)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            if rotation is not None:
                stream.set_display_rotation(rotation)
            for i in range(frames):
                arr = np.zeros((size[1], size[0], 3), dtype=np.uint8)
                if i == 0:
                    arr[:, :] = first_colour
                    # A white block in the top-left corner marks orientation.
                    arr[: size[1] // 4, : size[0] // 4] = 255
                else:
                    arr[:, :] = (20 * i, 60, 200 - 20 * i)
                frame = av.VideoFrame.from_ndarray(arr, format="rgb24")
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        return path

    return make


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a PDF written by pypdf with synthetic document information."""
    from pypdf import PdfWriter

    def make(
        *,
        name: str = "doc.pdf",
        pages: int = 3,
        info: dict[str, str] | None = None,
        user_password: str | None = None,
        xmp: str | None = None,
    ) -> Path:
        writer = PdfWriter()
        for _ in range(pages):
            writer.add_blank_page(width=595, height=842)
        writer.add_metadata(info or {})
        if xmp is not None:
            writer.xmp_metadata = xmp.encode("utf-8")
        if user_password is not None:
            writer.encrypt(user_password, "owner-secret", algorithm="AES-256")
        path = tmp_path / name
        with open(path, "wb") as fh:
            writer.write(fh)
        return path

    return make


@pytest.fixture
def make_bomb_png(tmp_path: Path) -> Callable[..., Path]:
    """Factory: a tiny PNG whose header declares a huge image (a decompression bomb)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    def make(width: int = 100_000, height: int = 100_000, name: str = "bomb.png") -> Path:
        ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
        # A few zero rows compressed; a real bomb would inflate far more, but the header alone
        # must be enough to refuse it.
        row = b"\x00" + b"\x00" * (3 * min(width, 4096))
        idat = zlib.compress(row * 16, 9)
        data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


def _c2pa_credentials() -> tuple[bytes, bytes]:
    """A throw-away ES256 signing chain (synthetic CA + end entity) for test manifests."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(days=3650)

    def name(common: str) -> x509.Name:
        return x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Svidok Test CA"),
        ])

    def usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=sign, content_commitment=False,
                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                             key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                             decipher_only=False)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder().subject_name(name("Synthetic Test Root"))
        .issuer_name(name("Synthetic Test Root")).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(name("Synthetic Signer"))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return chain, pem_key


@pytest.fixture(scope="session")
def c2pa_signed_jpeg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JPEG carrying a C2PA manifest signed with a synthetic certificate chain."""
    import c2pa

    chain, key = _c2pa_credentials()
    source = io.BytesIO()
    scene(7, (160, 120)).save(source, "JPEG", quality=90)
    source.seek(0)
    manifest = {
        "claim_generator_info": [{"name": "svidok-test-camera", "version": "0.1"}],
        "title": "synthetic-capture.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{
                    "action": "c2pa.created",
                    "digitalSourceType":
                        "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
                }]},
            }
        ],
    }
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo("es256", chain, key, None))
    builder = c2pa.Builder.from_json(manifest)
    out = io.BytesIO()
    builder.sign(signer, "image/jpeg", source, out)
    path = tmp_path_factory.mktemp("c2pa") / "signed.jpg"
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def runner() -> Iterator[ExtractorRunner]:
    """One persistent worker shared by a test module (as intake would use it)."""
    with ExtractorRunner(timeout=30.0) as shared:
        yield shared
