"""Schemathesis over the whole OpenAPI document: no server error, responses as documented.

Bounded: at most ``MAX_EXAMPLES`` generated requests per operation (positive and negative
data), so the whole run stays within a few minutes. The checks are the ones about the server's
behaviour: no 5xx, status codes, content types, headers and bodies as the document says, and
schema-invalid requests refused. ``positive_data_acceptance`` is left out on purpose: a request
that fits the JSON Schema may still be refused with 422 for rules the schema cannot express
(EDTF grammar, cross-field rules, references to records that do not exist).
"""

from __future__ import annotations

import warnings
from typing import cast

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from svidok.api import create_app
from svidok.workspace import Workspace

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _document_app():
    # The OpenAPI document does not depend on the workspace (create_app touches none), so the
    # schema is loaded once at collection; each test then calls an app over its own workspace.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return create_app(cast(Workspace, None), process_uploads=False)


schema = schemathesis.openapi.from_asgi("/openapi.json", _document_app())


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    """The database of the whole run (SQLite, or a fresh PostgreSQL database on that pass)."""
    from tests.api.conftest import fresh_db_url

    with fresh_db_url(tmp_path_factory.mktemp("fuzz")) as url:
        yield url


@pytest.fixture
def db_url(fuzz_db):
    """This module's database under test is the run's shared one (the name also tells the
    PostgreSQL pass that these tests use the database)."""
    return fuzz_db


@pytest.fixture(scope="module")
def session(tmp_path_factory, fuzz_db):
    """One workspace and one in-process client for the whole run, so that later operations
    also meet the records earlier ones created (a workspace per operation would cost more than
    the requests)."""
    from schemathesis.python import asgi

    from svidok.workspace import init_workspace
    from tests.protect.helpers import api_tester_token

    ws = init_workspace(tmp_path_factory.mktemp("fuzz-home") / "home", db_url=fuzz_db)
    try:
        client = asgi.get_client(create_app(ws, process_uploads=False))
        client.headers["Authorization"] = f"Bearer {api_tester_token(ws)}"  # an investigator (svidok.api.auth)
        yield client
    finally:
        ws.close()


def _checks_for(case):
    # A multipart form has no types on the wire (every value is text, null is the text "null"),
    # so a "type-violating" form field can be a valid one as sent: no negative-data check there.
    if (case.media_type or "").startswith("multipart/"):
        return [c for c in CHECKS if c is not negative_data_rejection]
    return CHECKS


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate], derandomize=True)
def test_no_server_error_and_responses_as_documented(case, session, db_url):
    response = case.call(session=session)
    case.validate_response(response, checks=_checks_for(case))
    if response.headers.get("content-type", [""])[0].startswith("application/problem+json"):
        assert response.json()["type"] != "urn:svidok:error:DatabaseRefused", response.text
