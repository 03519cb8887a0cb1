"""``svidok-verify``: check a Svidok bundle or a single proof, offline, with no workspace.

Usage::

    svidok-verify BUNDLE [--trusted-key KEY]... [--tsa-ca PEM]... [--trusted-cert PEM]... [--json] [--verbose]
    svidok-verify proof FILE --key KEY [--key KEY]... --entry ENTRY_FILE [--json]

Exit status: 0 when every check passed; 1 when any check failed (every failure is listed);
2 for bad usage or unreadable input. Checks that could not be made (an optional extra is not
installed, there is nothing to check) are printed as NOT CHECKED and do not fail the run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from svidok_verify import __version__
from svidok_verify.bundle import verify_bundle, verify_proof_file
from svidok_verify.report import Report

__all__ = ["main"]


def _bundle_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="svidok-verify",
        description="Verify a Svidok evidence bundle offline: BagIt manifests (RFC 8493), ledger proofs "
        "(C2SP tlog-proof, RFC 9162), the signed checkpoint, the consistency proof, RFC 3161 timestamps "
        "and the signed PDF report. 'svidok-verify proof FILE ...' checks a single proof.",
    )
    p.add_argument("bundle", type=Path, help="the bundle folder (a BagIt bag written by 'svidok export')")
    p.add_argument("--trusted-key", action="append", default=[], metavar="KEY",
                   help="a ledger verifier key you obtained independently (text or file); repeatable")
    p.add_argument("--tsa-ca", action="append", default=[], type=Path, metavar="PEM",
                   help="a TSA CA certificate you trust, besides those in the bundle; repeatable")
    p.add_argument("--trusted-cert", action="append", default=[], type=Path, metavar="PEM",
                   help="a certificate you trust for the report's PDF signature; repeatable")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--verbose", action="store_true", help="list every passing check, not only counts")
    p.add_argument("--version", action="version", version=f"svidok-verify {__version__}")
    return p


def _proof_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="svidok-verify proof", description="Verify one C2SP tlog-proof@v1 file for an entry.")
    p.add_argument("file", type=Path, help="the proof file (c2sp.org/tlog-proof@v1)")
    p.add_argument("--key", action="append", required=True, metavar="KEY", help="the ledger verifier key (text or file); repeatable")
    p.add_argument("--entry", required=True, type=Path, help="the file holding the entry's exact bytes")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    return p


def _read_certs(paths: Sequence[Path]) -> list[bytes]:
    return [p.read_bytes() for p in paths]


def _emit(report: Report, as_json: bool, verbose: bool = False) -> int:
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        sys.stdout.write(report.render(verbose=verbose))
    return 0 if report.passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns (and, as a console script, exits with) the status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "proof":
            pa = _proof_parser().parse_args(args[1:])
            report = verify_proof_file(pa.file.read_bytes(), pa.entry.read_bytes(), pa.key)
            return _emit(report, pa.json, verbose=True)
        ba = _bundle_parser().parse_args(args)
        if not ba.bundle.is_dir():
            sys.stderr.write(f"svidok-verify: {ba.bundle} is not a folder (give the bundle folder written by 'svidok export')\n")
            return 2
        report = verify_bundle(
            ba.bundle, trusted_keys=ba.trusted_key, tsa_certs=_read_certs(ba.tsa_ca), trusted_certs=_read_certs(ba.trusted_cert)
        )
        return _emit(report, ba.json, ba.verbose)
    except OSError as exc:
        sys.stderr.write(f"svidok-verify: cannot read {exc.filename or ''}: {exc.strerror or exc}\n")
        return 2
    except SystemExit as exc:  # argparse usage errors
        return int(exc.code) if isinstance(exc.code, int) else 2


if __name__ == "__main__":
    sys.exit(main())
