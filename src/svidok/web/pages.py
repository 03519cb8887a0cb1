"""Rendering of the web pages: one Jinja2 environment, autoescaped (OWASP XSS prevention),
with ``_()`` and the locale's number and month formats bound per request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from svidok.web import i18n

__all__ = ["render", "term"]


def term(vocab: str, code: str, lang: str) -> str:
    """The label of a controlled-vocabulary code in ``lang`` (:mod:`svidok.records.vocab`,
    which carries English and Ukrainian labels); the code itself if unknown."""
    from svidok.records.vocab import vocabulary

    try:
        voc = vocabulary(vocab)
        return voc.term(code).label(lang) if code in voc else code
    except Exception:  # an unknown vocabulary name: show the code rather than fail the page
        return code

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)  # fmt: skip


def render(template: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` in ``lang`` with ``context``; security headers that forbid
    framing and MIME sniffing."""
    html = _ENV.get_template(template).render(
        _=i18n.gettext(lang), lang=lang, languages=i18n.LANGUAGES,
        num=lambda n: i18n.format_number(int(n), lang), month=lambda m: i18n.format_month(str(m), lang),
        term=lambda vocab, code: term(vocab, str(code), lang), **context,
    )  # fmt: skip
    headers = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
               "Cache-Control": "no-store"}  # fmt: skip
    return HTMLResponse(html, status_code=status, headers=headers)
