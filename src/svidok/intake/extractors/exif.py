"""EXIF and XMP from still images: JPEG, TIFF (and TIFF-based raw), HEIC/HEIF, AVIF, PNG, WebP.

Tags read (EXIF 2.32 / CIPA DC-008; tag numbers in parentheses):

* IFD0: Make (0x010F), Model (0x0110), Software (0x0131), DateTime (0x0132), Orientation
  (0x0112), Artist (0x013B), Copyright (0x8298), ImageDescription (0x010E), and the DNG
  CameraSerialNumber (0xC62F);
* Exif IFD: DateTimeOriginal (0x9003) with OffsetTimeOriginal (0x9011) and
  SubSecTimeOriginal (0x9291), DateTimeDigitized (0x9004/0x9012/0x9292), OffsetTime
  (0x9010), BodySerialNumber (0xA431), CameraOwnerName (0xA430), LensMake (0xA433),
  LensModel (0xA434), LensSerialNumber (0xA435), ImageUniqueID (0xA420), ExifVersion
  (0x9000), PixelX/YDimension (0xA002/0xA003);
* GPS IFD (section 4.6.6): latitude/longitude (0x1-0x4) to signed decimal degrees, altitude
  with AltitudeRef (0x5, 0x6), GPSTimeStamp (0x7) and GPSDateStamp (0x1D) as a UTC instant,
  satellites, status, measure mode, DOP, speed, track, image direction, map datum,
  processing method, differential, horizontal positioning error (0x8-0x1F).

The container is opened with Pillow (+ pillow-heif) for the format, pixel size and the XMP
packet (JPEG APP1, TIFF tag 700, PNG iTXt ``XML:com.adobe.xmp``, WebP/HEIF ``XMP`` item),
and Pillow parses the EXIF. When Pillow cannot open the file or parse its EXIF (truncated or
damaged files, TIFF-based raw formats), the tolerant pure-Python ``exifread`` parser is tried
on the same bytes; ``exif_parser`` says which one produced the values.

Nothing is invented: a value that is absent, blank or out of range is left out, and the
reason goes to ``warnings``. Times without an offset say ``zone_known: False``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ._dates import exif_datetime
from ._xmp import parse_xmp
from .base import captured_log, clean_text, decode_bytes, json_safe, versioned

EXIF_IFD = 0x8769
GPS_IFD = 0x8825

IMAGE_MIMES = frozenset(
    {
        "image/jpeg",
        "image/tiff",
        "image/heic",
        "image/heif",
        "image/heic-sequence",
        "image/heif-sequence",
        "image/avif",
        "image/png",
        "image/webp",
        "image/x-adobe-dng",
        "image/x-canon-cr2",
        "image/x-nikon-nef",
        "image/x-sony-arw",
        "image/x-olympus-orf",
        "image/x-panasonic-rw2",
        "image/x-pentax-pef",
    }
)

ORIENTATIONS = {
    1: "Horizontal (normal)",
    2: "Mirror horizontal",
    3: "Rotate 180",
    4: "Mirror vertical",
    5: "Mirror horizontal and rotate 270 CW",
    6: "Rotate 90 CW",
    7: "Mirror horizontal and rotate 90 CW",
    8: "Rotate 270 CW",
}

_IFD0_TEXT = {
    0x010F: "make",
    0x0110: "model",
    0x0131: "software",
    0x013B: "artist",
    0x8298: "copyright",
    0x010E: "image_description",
    0xC62F: "camera_serial_number",
}
_EXIF_TEXT = {
    0xA431: "body_serial_number",
    0xA430: "camera_owner_name",
    0xA433: "lens_make",
    0xA434: "lens_model",
    0xA435: "lens_serial_number",
    0xA420: "image_unique_id",
}
_GPS_TEXT = {
    0x08: "satellites",
    0x09: "status",
    0x0A: "measure_mode",
    0x0C: "speed_ref",
    0x0E: "track_ref",
    0x10: "img_direction_ref",
    0x12: "map_datum",
}
_GPS_NUM = {
    0x0B: "dop",
    0x0D: "speed",
    0x0F: "track",
    0x11: "img_direction",
    0x1F: "h_positioning_error",
}


class ExifExtractor:
    """EXIF/XMP metadata of still images (see the module docstring for the tags)."""

    name = "exif"
    version = versioned("1.0.0", "Pillow", "pillow-heif", "ExifRead")

    def accepts(self, mime: str) -> bool:
        """Still-image types that can carry EXIF or XMP."""
        return mime in IMAGE_MIMES

    def extract(self, path: Path) -> dict[str, Any]:
        """Read EXIF and XMP from the image at ``path``."""
        return extract_exif(Path(path))


# --- value helpers ---------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            return None
        value = value[0]
    if isinstance(value, (bytes, bytearray)):
        value = decode_bytes(bytes(value))
    if not isinstance(value, str):
        value = str(value)
    text = clean_text(value)
    return text or None


def _num(value: Any) -> float | None:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            return None
        value = value[0]
    if isinstance(value, (bytes, bytearray)):
        return float(value[0]) if len(value) == 1 else None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None and number.is_integer() else None


def _triple(value: Any) -> tuple[float, float, float] | None:
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        return None
    parts = [_num(v) for v in value]
    if any(p is None or p < 0 for p in parts):
        return None
    a, b, c = (float(p) for p in parts if p is not None)
    return (a, b, c)


# --- EXIF dictionaries from either parser --------------------------------------------------


def _pillow_ifds(image: Any) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    exif = image.getexif()
    ifd0 = {int(k): v for k, v in exif.items()}
    sub = {int(k): v for k, v in exif.get_ifd(EXIF_IFD).items()} if EXIF_IFD in exif else {}
    gps = {int(k): v for k, v in exif.get_ifd(GPS_IFD).items()} if GPS_IFD in exif else {}
    return ifd0, sub, gps


def _exifread_ifds(
    path: Path, warnings: list[str]
) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    import exifread

    with captured_log("exifread") as notes, open(path, "rb") as fh:
        tags = exifread.process_file(
            fh, details=False, extract_thumbnail=False, truncate_tags=False
        )
    warnings.extend(notes)
    groups: dict[str, dict[int, Any]] = {"Image": {}, "EXIF": {}, "GPS": {}}
    for key, tag in tags.items():
        group = key.split(" ", 1)[0]
        if group not in groups or not hasattr(tag, "tag"):
            continue
        values = tag.values
        if isinstance(values, list) and len(values) == 1:
            values = values[0]
        elif isinstance(values, list):
            values = tuple(values)
        groups[group].setdefault(int(tag.tag), values)
    return groups["Image"], groups["EXIF"], groups["GPS"]


# --- GPS -------------------------------------------------------------------------------------


def _coordinate(
    gps: dict[int, Any], ref_tag: int, value_tag: int, axis: str, warnings: list[str]
) -> tuple[float | None, float | None]:
    """Signed decimal degrees from GPS{Latitude,Longitude}{Ref,} or (None, unsigned)."""
    if value_tag not in gps:
        return None, None
    triple = _triple(gps[value_tag])
    if triple is None:
        warnings.append(f"GPS {axis} is not three non-negative rationals: {gps[value_tag]!r}"[:300])
        return None, None
    degrees, minutes, seconds = triple
    value = degrees + minutes / 60 + seconds / 3600
    limit = 90.0 if axis == "latitude" else 180.0
    if value > limit or minutes >= 60 or seconds >= 60:
        warnings.append(f"GPS {axis} out of range: {triple}")
        return None, None
    ref = (_text(gps.get(ref_tag)) or "").upper()[:1]
    negative, positive = ("S", "N") if axis == "latitude" else ("W", "E")
    if ref == negative:
        return -value, None
    if ref == positive:
        return value, None
    warnings.append(f"GPS {axis} has no valid reference (N/S/E/W); sign unknown")
    return None, value


def _altitude_ref(value: Any) -> int | None:
    if isinstance(value, (bytes, bytearray)):
        return value[0] if len(value) >= 1 else None
    if isinstance(value, str):
        return int(value) if value.strip().isdigit() else None
    return _int(value)


def _gps(gps: dict[int, Any], warnings: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    version = gps.get(0x00)
    if isinstance(version, (bytes, bytearray)) and version:
        out["version"] = ".".join(str(b) for b in version)
    elif isinstance(version, (list, tuple)) and version:
        out["version"] = ".".join(str(_int(b)) for b in version)
    lat, lat_unsigned = _coordinate(gps, 0x01, 0x02, "latitude", warnings)
    lon, lon_unsigned = _coordinate(gps, 0x03, 0x04, "longitude", warnings)
    if lat is not None and lon is not None:
        out["latitude"] = lat
        out["longitude"] = lon
        if lat == 0 and lon == 0:
            warnings.append("GPS position is exactly 0,0: often written when there was no fix")
    elif lat is not None or lon is not None:
        warnings.append("GPS has only one of latitude/longitude; position not reported")
    if lat_unsigned is not None:
        out["latitude_unsigned"] = lat_unsigned
    if lon_unsigned is not None:
        out["longitude_unsigned"] = lon_unsigned
    if 0x06 in gps:
        altitude = _num(gps[0x06])
        ref = _altitude_ref(gps.get(0x05, 0))
        if altitude is None or altitude < 0:
            warnings.append(f"GPS altitude unreadable: {gps[0x06]!r}"[:300])
        elif ref not in (0, 1, 2, 3):
            warnings.append(f"GPS AltitudeRef {ref!r} unknown; altitude sign unknown")
            out["altitude_unsigned"] = altitude
        else:
            out["altitude"] = -altitude if ref in (1, 3) else altitude
            out["altitude_ref"] = ref
            out["altitude_reference"] = "ellipsoid" if ref in (2, 3) else "sea level"
    date_raw = _text(gps.get(0x1D))
    time_parts = _triple(gps.get(0x07)) if 0x07 in gps else None
    if date_raw:
        out["date_stamp"] = date_raw
    if time_parts is not None:
        hours, minutes, seconds = time_parts
        if hours < 24 and minutes < 60 and seconds < 61:
            whole = int(seconds)
            frac = f"{seconds - whole:.6f}"[1:].rstrip("0").rstrip(".")
            out["time_stamp"] = f"{int(hours):02d}:{int(minutes):02d}:{whole:02d}{frac}"
        else:
            warnings.append(f"GPSTimeStamp out of range: {time_parts}")
    if date_raw and "time_stamp" in out:
        stamp = exif_datetime(
            f"{date_raw} {out['time_stamp']}",
            "+00:00",
            source="EXIF GPSDateStamp+GPSTimeStamp (UTC)",
        )
        if stamp and stamp.get("iso"):
            out["timestamp_utc"] = str(stamp["iso"]).replace("+00:00", "Z")
        elif stamp:
            warnings.append(f"GPS date/time invalid: {stamp.get('invalid')}")
    for tag, key in _GPS_TEXT.items():
        text = _text(gps.get(tag))
        if text:
            out[key] = text
    for tag, key in _GPS_NUM.items():
        number = _num(gps.get(tag)) if tag in gps else None
        if number is not None:
            out[key] = number
    if out.get("status") == "V":
        warnings.append("GPSStatus is V (measurement void)")
    method = gps.get(0x1B)
    if isinstance(method, (bytes, bytearray)):
        # EXIF 2.32 table 9: an 8-byte character code prefix, then the text.
        out["processing_method"] = clean_text(decode_bytes(bytes(method[8:])), 256)
    elif isinstance(method, str) and method.strip():
        out["processing_method"] = clean_text(method, 256)
    differential = _int(gps.get(0x1E)) if 0x1E in gps else None
    if differential is not None:
        out["differential"] = differential
    return out


# --- the extraction ---------------------------------------------------------------------------


def _why(exc: BaseException) -> str:
    return clean_text(f"{type(exc).__name__}: {exc}", 450)


def extract_exif(path: Path) -> dict[str, Any]:
    """EXIF/XMP of one image as a JSON-safe dict (see the module docstring)."""
    from PIL import Image, UnidentifiedImageError

    from ._imaging import open_image

    warnings: list[str] = []
    data: dict[str, Any] = {}
    ifds: tuple[dict[int, Any], dict[int, Any], dict[int, Any]] | None = None
    xmp_raw: Any = None
    try:
        image = open_image(path)
    except Image.DecompressionBombError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        warnings.append(f"Pillow could not open the image: {_why(exc)}")
        image = None
    if image is not None:
        with image:
            data["format"] = image.format
            data["mode"] = image.mode
            data["width"], data["height"] = image.size
            frames = getattr(image, "n_frames", 1)
            if isinstance(frames, int) and frames > 1:
                data["frames"] = frames
            raw_exif = image.info.get("exif")
            if isinstance(raw_exif, (bytes, bytearray)):
                data["exif_bytes"] = len(raw_exif)
            xmp_raw = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
            original = image.info.get("original_orientation")
            if isinstance(original, int):
                # pillow-heif applies the HEIF irot/imir transforms and resets EXIF orientation.
                data["heif_original_orientation"] = original
            # Without an EXIF block Pillow's getexif() still reports tiff:Orientation taken
            # from XMP; that is not EXIF, so only a real block (or TIFF's own IFD0) counts.
            if isinstance(raw_exif, (bytes, bytearray)) or image.format == "TIFF":
                try:
                    ifds = _pillow_ifds(image)
                    data["exif_parser"] = "Pillow"
                except Exception as exc:  # noqa: BLE001 - any parser failure falls back
                    warnings.append(f"Pillow could not parse EXIF: {_why(exc)}")
    if ifds is None or not any(ifds):
        try:
            fallback = _exifread_ifds(path, warnings)
        except Exception as exc:  # noqa: BLE001 - the fallback parser's failure is recorded
            if image is None:
                warnings.append(f"exifread could not parse the file: {_why(exc)}")
            fallback = ({}, {}, {})
        if any(fallback):
            ifds = fallback
            data["exif_parser"] = "exifread"
    if image is None and ifds is None:
        raise ValueError("not a readable image and no EXIF found: " + "; ".join(warnings))
    ifd0, sub, gps = ifds or ({}, {}, {})
    data["has_exif"] = bool(ifd0 or sub or gps)

    for tag, key in _IFD0_TEXT.items():
        text = _text(ifd0.get(tag))
        if text:
            data[key] = text
    for tag, key in _EXIF_TEXT.items():
        text = _text(sub.get(tag))
        if text:
            data[key] = text
    orientation = _int(ifd0.get(0x0112)) if 0x0112 in ifd0 else None
    if orientation is not None:
        data["orientation"] = orientation
        if orientation in ORIENTATIONS:
            data["orientation_text"] = ORIENTATIONS[orientation]
        else:
            warnings.append(f"Orientation {orientation} is not a valid value (1-8)")
    version = sub.get(0x9000)
    if isinstance(version, (bytes, bytearray)):
        data["exif_version"] = clean_text(decode_bytes(bytes(version)), 16)
    for tag, key in ((0xA002, "exif_pixel_width"), (0xA003, "exif_pixel_height")):
        number = _int(sub.get(tag)) if tag in sub else None
        if number is not None:
            data[key] = number

    for key, (value, offset, subsec, label) in {
        "datetime_original": (sub.get(0x9003), sub.get(0x9011), sub.get(0x9291),
                              "EXIF DateTimeOriginal (0x9003)"),
        "datetime_digitized": (sub.get(0x9004), sub.get(0x9012), sub.get(0x9292),
                               "EXIF DateTimeDigitized (0x9004)"),
        "datetime": (ifd0.get(0x0132), sub.get(0x9010), sub.get(0x9290),
                     "EXIF DateTime (0x0132, file change)"),
    }.items():
        parsed = exif_datetime(_text(value), _text(offset), _text(subsec), source=label)
        if parsed is not None:
            data[key] = parsed
            if parsed.get("invalid"):
                warnings.append(f"{label}: {parsed['invalid']}")

    if gps:
        data["gps"] = _gps(gps, warnings)

    if xmp_raw:
        data["xmp_bytes"] = len(xmp_raw)
        try:
            data["xmp"] = parse_xmp(xmp_raw)
        except ValueError as exc:
            data["xmp"] = {"error": str(exc)[:500]}
            warnings.append(f"XMP unreadable: {exc}"[:500])
    if warnings:
        data["warnings"] = warnings
    result = json_safe(data)
    assert isinstance(result, dict)
    return result
