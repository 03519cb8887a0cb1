"""A small synthetic investigation for export tests: generated files, real intake, keys.

Everything is generated here: photos with made-up EXIF time, GPS and device (the demo
generator :mod:`svidok.demo.media`), a synthetic "scanned statement", invented team names.
No real person or place is named.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from svidok.demo.media import demo_time, photo_bytes, statement_pdf
from svidok.evidence.service import AcquisitionInfo
from svidok.export.report import ReportSigning
from svidok.intake.ingest import ingest
from svidok.workspace import Workspace

CASE = "DEMO-2022-01"


def make_sources(folder: Path, photos: int = 3, seed: int = 2022) -> Path:
    """Generated photos (EXIF time, GPS, device) and a one-page statement PDF in ``folder``."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(photos):
        data = photo_bytes(rng, lat=49.10 + i / 200, lon=37.20 + i / 300, when=demo_time(rng), caption=f"synthetic scene {i}")
        (folder / f"IMG_{i:04d}.jpg").write_bytes(data)
    (folder / "statement W-0001.pdf").write_bytes(statement_pdf(["Statement (synthetic)", "Witness code W-0001", "No real person."]))
    return folder


def ingest_case(ws: Workspace, folder: Path, case: str = CASE) -> list[str]:
    """Ingest ``folder`` into ``case`` through the real intake path; returns the item ids."""
    info = AcquisitionInfo(case_ref=case, collector="Mobile Team Alpha", device="DemoCam field kit", method="copy from SD card",
                           place="synthetic locality 1")
    summary = ingest(ws, [str(folder).encode()], info)
    assert summary.counts.get("failed", 0) == 0, summary
    from svidok.evidence.queries import list_items

    with ws.db.read() as s:
        return [i["id"] for i in list_items(s, case)]


@dataclass(frozen=True)
class Signing:
    """A generated report-signing key and self-signed certificate (PEM files)."""

    key: Path
    cert: Path

    def report_signing(self, tsa_url: str | None = None) -> ReportSigning:
        return ReportSigning(self.key, self.cert, (), tsa_url)


def make_signing(folder: Path, name: str = "Synthetic Exporter") -> Signing:
    """An ECDSA P-256 key and a self-signed certificate for signing reports in tests."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Svidok tests")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    kp, cp = folder / "exporter.key", folder / "exporter.crt"
    kp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Signing(kp, cp)
