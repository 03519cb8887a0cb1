"""A read-only summary of a C2PA manifest store (Content Credentials), through c2pa-python.

C2PA Technical Specification 2.x: a manifest store (JUMBF) embedded in the asset holds one
or more manifests; the *active* manifest describes the asset as it is. Summarised here:

* ``active_manifest`` label, number of manifests, title, format, instance ID, claim version;
* ``claim_generator`` (the v1 string, or the v2 ``claim_generator_info`` names and versions);
* the labels of the active manifest's assertions, and its actions
  (``c2pa.actions``/``c2pa.actions.v2``: action, digitalSourceType, softwareAgent, when);
* ingredients (title, relationship, format);
* the signature: issuer (organisation of the signing certificate), common name, algorithm,
  signing time, certificate serial number;
* validation: the SDK's ``validation_state`` and status codes, failures listed separately.

No trust list is configured, so ``signingCredential.untrusted`` only says the signer is not
on a list *we* gave; the cryptographic checks (claim signature, hashes) are still reported.

Offline by construction: remote manifests and OCSP are never fetched
(``verify.remote_manifest_fetch`` and ``verify.ocsp_fetch`` set to false; the SDK ignores
unknown setting keys silently, so the names are those of the c2pa-rs settings schema). A file
that only *points* to a remote manifest is reported as such, with ``fetched: False``.

A file without C2PA data gives ``{"present": False}``; a file the SDK cannot parse raises
:class:`~svidok.errors.FormatError` (recorded by the runner as a failed extraction: whether a
manifest is there is then unknown).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from svidok.errors import FormatError

from .base import clean_text, json_safe, versioned

#: MIME types the c2pa-python 0.38.1 Reader supports (``Reader.get_supported_mime_types()``),
#: plus libmagic's spellings of the same formats.
C2PA_MIMES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/x-webp",
        "image/tiff",
        "image/heic",
        "image/heif",
        "image/avif",
        "image/jxl",
        "image/svg+xml",
        "image/dng",
        "image/x-adobe-dng",
        "image/x-nikon-nef",
        "image/x-sony-arw",
        "video/mp4",
        "video/quicktime",
        "video/x-m4v",
        "video/x-msvideo",
        "video/avi",
        "video/msvideo",
        "audio/mp4",
        "audio/x-m4a",
        "application/mp4",
        "audio/mpeg",
        "audio/mp3",
        "audio/x-mp3",
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "audio/vnd.wave",
        "audio/flac",
        "audio/x-flac",
        "application/pdf",
        "application/c2pa",
        "application/x-c2pa-manifest-store",
    }
)

OFFLINE_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}

_context: Any = None


class C2paExtractor:
    """Summary of an embedded C2PA manifest store (see module docstring)."""

    name = "c2pa"
    version = versioned("1.0.0", "c2pa-python")

    def accepts(self, mime: str) -> bool:
        """Formats that can carry C2PA manifests."""
        return mime in C2PA_MIMES

    def extract(self, path: Path) -> dict[str, Any]:
        """Summarise the C2PA manifest store of ``path``, or report that there is none."""
        return extract_c2pa(Path(path))


def _offline_context() -> Any:
    global _context
    import c2pa

    if _context is None:
        _context = c2pa.Context.from_dict(OFFLINE_SETTINGS)
    return _context


def _generator(manifest: dict[str, Any]) -> str | None:
    generator = manifest.get("claim_generator")
    if isinstance(generator, str) and generator:
        return generator
    parts = []
    for info in manifest.get("claim_generator_info") or []:
        if isinstance(info, dict) and info.get("name"):
            version = info.get("version")
            parts.append(f"{info['name']}/{version}" if version else str(info["name"]))
    return " ".join(parts) or None


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions") or []:
        if not isinstance(assertion, dict):
            continue
        if str(assertion.get("label", "")).split(".v")[0] != "c2pa.actions":
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if not isinstance(action, dict):
                continue
            agent = action.get("softwareAgent")
            if isinstance(agent, dict):
                agent = agent.get("name")
            out.append(
                {
                    k: v
                    for k, v in {
                        "action": action.get("action"),
                        "digital_source_type": action.get("digitalSourceType"),
                        "software_agent": agent,
                        "when": action.get("when"),
                    }.items()
                    if v is not None
                }
            )
    return out


def summarise(store: dict[str, Any]) -> dict[str, Any]:
    """Summarise a manifest store as returned by ``Reader.json()`` (pure, no I/O)."""
    manifests = store.get("manifests") or {}
    label = store.get("active_manifest")
    active = manifests.get(label) if isinstance(manifests, dict) and label else None
    out: dict[str, Any] = {
        "present": True,
        "active_manifest": label,
        "manifest_count": len(manifests) if isinstance(manifests, dict) else 0,
    }
    if isinstance(active, dict):
        out["claim_generator"] = _generator(active)
        out["claim_generator_info"] = active.get("claim_generator_info")
        for key in ("title", "format", "instance_id", "claim_version"):
            if active.get(key) is not None:
                out[key] = active[key]
        out["assertions"] = [
            a.get("label") for a in active.get("assertions") or [] if isinstance(a, dict)
        ]
        out["actions"] = _actions(active)
        out["ingredients"] = [
            {k: i.get(k) for k in ("title", "relationship", "format") if i.get(k) is not None}
            for i in active.get("ingredients") or []
            if isinstance(i, dict)
        ]
        sig = active.get("signature_info") or {}
        out["signature"] = {
            k: sig.get(k)
            for k in ("issuer", "common_name", "alg", "time", "cert_serial_number")
            if sig.get(k) is not None
        }
    out["validation_state"] = store.get("validation_state")
    out["validation_status"] = [
        s.get("code") for s in store.get("validation_status") or [] if isinstance(s, dict)
    ]
    results = (store.get("validation_results") or {}).get("activeManifest") or {}
    out["validation_failures"] = [
        s.get("code") for s in results.get("failure") or [] if isinstance(s, dict)
    ]
    out["trust_note"] = "no trust list configured: 'untrusted' means not on a list we supplied"
    return out


def extract_c2pa(path: Path) -> dict[str, Any]:
    """C2PA summary of one file as a JSON-safe dict; ``{"present": False}`` when absent."""
    import c2pa

    try:
        with open(path, "rb") as fh:
            reader = c2pa.Reader.try_create(fh, context=_offline_context())
            if reader is None:
                return {"present": False}
            try:
                store = json.loads(reader.json())
                embedded = reader.is_embedded()
                remote = reader.get_remote_url()
            finally:
                reader.close()
    except c2pa.C2paError as exc:
        kind = type(exc).__name__
        message = clean_text(str(exc), 500)
        if "NotSupported" in kind or "type is unsupported" in message.lower():
            return {"present": False, "supported_format": False, "note": message}
        if "RemoteManifest" in kind or "remote manifest" in message.lower():
            return {"present": True, "embedded": False, "fetched": False, "note": message}
        raise FormatError(f"C2PA reader failed: {message}", reason=kind.lstrip("_")) from exc
    summary = summarise(store)
    summary["embedded"] = bool(embedded)
    if remote:
        summary["remote_url"] = remote
    result = json_safe(summary)
    assert isinstance(result, dict)
    return result
