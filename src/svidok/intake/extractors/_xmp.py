"""Reading an XMP packet (ISO 16684-1) into plain properties, safely.

The packet's RDF is flattened to ``{"prefix:Name": value}``: simple values as strings,
arrays (``rdf:Bag``/``rdf:Seq``) as lists, language alternatives (``rdf:Alt``) as the
``x-default`` item (or the first), structures as nested dicts. Well-known namespaces always
get their customary prefix whatever the packet declared (``xmp``, ``exif``, ``tiff``, ...);
others keep the packet's own prefix.

Then the fields an investigator needs are normalised: dates (``xmp:CreateDate``,
``exif:DateTimeOriginal``, ``photoshop:DateCreated`` ...) with :func:`iso_datetime`, and GPS
coordinates (``exif:GPSLatitude`` in the XMP ``DDD,MM,SSk`` / ``DDD,MM.mmk`` form of the
Exif schema for XMP, CIPA DC-010) to signed decimal degrees.

Safety: packets with a DOCTYPE (entity expansion, external entities) are refused -- XMP has no
use for one -- and size, count and depth are bounded.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

from .base import MAX_ITEMS, clean_text
from ._dates import iso_datetime

MAX_PACKET = 4 * 1024 * 1024
_MAX_DEPTH = 6

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Customary prefixes (XMP Specification Part 2, CIPA DC-010, IPTC Photo Metadata).
KNOWN_PREFIXES = {
    "adobe:ns:meta/": "x",
    RDF: "rdf",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/camera-raw-settings/1.0/": "crs",
    "http://ns.adobe.com/pdf/1.3/": "pdf",
    "http://ns.google.com/photos/1.0/panorama/": "GPano",
    "http://ns.google.com/photos/1.0/camera/": "GCamera",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#": "stRef",
}

_DATE_FIELDS = (
    "exif:DateTimeOriginal",
    "exif:DateTimeDigitized",
    "photoshop:DateCreated",
    "xmp:CreateDate",
    "xmp:ModifyDate",
    "xmp:MetadataDate",
    "exif:GPSTimeStamp",
)

_GPS_COORD = re.compile(
    r"^\s*(\d{1,3}),(\d{1,2}(?:\.\d+)?)(?:,(\d{1,2}(?:\.\d+)?))?\s*([NSEW])\s*$"
)
_RATIONAL = re.compile(r"^\s*(-?\d+)\s*/\s*(\d+)\s*$")


class _Flattener:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self.count = 0

    def name(self, tag: str) -> str:
        if tag.startswith("{"):
            uri, local = tag[1:].split("}", 1)
            prefix = KNOWN_PREFIXES.get(uri) or self.prefixes.get(uri) or uri
            return f"{prefix}:{local}"
        return tag

    def value(self, elem: ET.Element, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return None
        children = list(elem)
        resource = elem.get(f"{{{RDF}}}resource")
        if not children:
            if resource is not None:
                return clean_text(resource)
            return clean_text(elem.text or "")
        first = children[0]
        if first.tag in (f"{{{RDF}}}Bag", f"{{{RDF}}}Seq"):
            return [self.value(li, depth + 1) for li in list(first)[:MAX_ITEMS]]
        if first.tag == f"{{{RDF}}}Alt":
            items = list(first)
            for li in items:
                if li.get(XML_LANG) == "x-default":
                    return self.value(li, depth + 1)
            return self.value(items[0], depth + 1) if items else None
        if first.tag == f"{{{RDF}}}Description":
            return self.struct(first, depth + 1)
        # rdf:parseType="Resource": the element itself holds the structure's fields.
        return self.struct(elem, depth + 1)

    def struct(self, elem: ET.Element, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, val in elem.attrib.items():
            if key.startswith(f"{{{RDF}}}") or key == XML_LANG:
                continue
            out[self.name(key)] = clean_text(val)
        for child in elem:
            self.count += 1
            if self.count > 4 * MAX_ITEMS or len(out) >= MAX_ITEMS:
                break
            out[self.name(child.tag)] = self.value(child, depth)
        return out


def _declared_prefixes(packet: bytes) -> dict[str, str]:
    prefixes: dict[str, str] = {}
    for _event, (prefix, uri) in ET.iterparse(io.BytesIO(packet), events=("start-ns",)):
        prefixes.setdefault(uri, prefix)
    return prefixes


def _packet_bytes(packet: bytes | str) -> bytes:
    data = packet.encode("utf-8") if isinstance(packet, str) else bytes(packet)
    start = data.find(b"<x:xmpmeta")
    if start < 0:
        start = data.find(b"<rdf:RDF")
    if start < 0:
        start = data.find(b"<")
    end_meta = data.rfind(b"</x:xmpmeta>")
    if end_meta >= 0 and start >= 0 and data[start:].startswith(b"<x:xmpmeta"):
        return data[start : end_meta + len(b"</x:xmpmeta>")]
    end_rdf = data.rfind(b"</rdf:RDF>")
    if end_rdf >= 0:
        return data[start : end_rdf + len(b"</rdf:RDF>")]
    return data[start:] if start >= 0 else b""


def gps_coordinate(raw: str) -> float | None:
    """``DDD,MM,SSk`` or ``DDD,MM.mmk`` (CIPA DC-010 GPSCoordinate) to signed degrees."""
    m = _GPS_COORD.match(raw)
    if not m:
        return None
    degrees = int(m.group(1)) + float(m.group(2)) / 60 + float(m.group(3) or 0) / 3600
    if m.group(4) in "SW":
        degrees = -degrees
    limit = 90 if m.group(4) in "NS" else 180
    return degrees if abs(degrees) <= limit else None


def _rational(raw: str) -> float | None:
    m = _RATIONAL.match(raw)
    if m:
        den = int(m.group(2))
        return int(m.group(1)) / den if den else None
    try:
        return float(raw)
    except ValueError:
        return None


def parse_xmp(packet: bytes | str) -> dict[str, Any]:
    """Parse an XMP packet into ``{"properties": ..., "dates": ..., "gps": ..., ...}``.

    Raises ``ValueError`` for a packet that is too large, has a DOCTYPE, or is not XML.
    """
    raw = packet.encode("utf-8") if isinstance(packet, str) else bytes(packet)
    if len(raw) > MAX_PACKET:
        raise ValueError(f"XMP packet of {len(raw)} bytes exceeds {MAX_PACKET}")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise ValueError("XMP packet has a DOCTYPE or ENTITY declaration; refused")
    data = _packet_bytes(raw)
    try:
        root = ET.fromstring(data)
        prefixes = _declared_prefixes(data)
    except ET.ParseError as exc:
        raise ValueError(f"XMP packet is not well-formed XML: {exc}") from exc
    flat = _Flattener(prefixes)
    props: dict[str, Any] = {}
    toolkit = root.get("{adobe:ns:meta/}xmptk")
    # Top-level rdf:Description elements describe the resource; nested ones are values.
    rdf_root = root if root.tag == f"{{{RDF}}}RDF" else root.find(f"{{{RDF}}}RDF")
    descriptions = (
        rdf_root.findall(f"{{{RDF}}}Description") if rdf_root is not None
        else list(root.iter(f"{{{RDF}}}Description"))
    )
    for desc in descriptions:
        props.update(flat.struct(desc, 0))
        if len(props) >= MAX_ITEMS:
            break
    out: dict[str, Any] = {"properties": props}
    if toolkit:
        out["toolkit"] = clean_text(toolkit, 256)
    dates = {}
    for key in _DATE_FIELDS:
        val = props.get(key)
        if isinstance(val, str):
            parsed = iso_datetime(val, source=f"XMP {key}")
            if parsed is not None:
                dates[key] = parsed
    if dates:
        out["dates"] = dates
    gps: dict[str, Any] = {}
    for key, name in (("exif:GPSLatitude", "latitude"), ("exif:GPSLongitude", "longitude")):
        val = props.get(key)
        if isinstance(val, str):
            coord = gps_coordinate(val)
            if coord is None:
                gps.setdefault("invalid", []).append(key)
            else:
                gps[name] = coord
    alt = props.get("exif:GPSAltitude")
    if isinstance(alt, str):
        altitude = _rational(alt)
        if altitude is not None:
            below = str(props.get("exif:GPSAltitudeRef", "0")).strip() == "1"
            gps["altitude"] = -altitude if below else altitude
    if gps:
        out["gps"] = gps
    for key, name in (
        ("tiff:Make", "make"),
        ("tiff:Model", "model"),
        ("exifEX:BodySerialNumber", "body_serial_number"),
        ("aux:SerialNumber", "serial_number"),
        ("exifEX:LensModel", "lens_model"),
        ("aux:Lens", "lens"),
        ("xmp:CreatorTool", "creator_tool"),
        ("xmpMM:DocumentID", "document_id"),
        ("xmpMM:InstanceID", "instance_id"),
        ("xmpMM:OriginalDocumentID", "original_document_id"),
    ):
        val = props.get(key)
        if isinstance(val, str) and val:
            out[name] = val
    return out
