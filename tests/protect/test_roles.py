"""The pure access policy: roles x actions x compartments x sensitivity x token scopes."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.protect.roles import (
    ACTION_SCOPE,
    CASE_FREE_ACTIONS,
    IDENTITY_ROLES,
    ROLE_ACTIONS,
    TOTP_ROLES,
    Action,
    Principal,
    Role,
    decide,
    parse_role,
)


def who(role: Role, cases=("A",), crsv=(), scopes=None) -> Principal:
    return Principal("u", role, frozenset(cases), frozenset(crsv), None if scopes is None else frozenset(scopes))


def test_every_action_has_a_scope_and_every_role_a_row():
    assert set(ACTION_SCOPE) == set(Action)
    assert set(ROLE_ACTIONS) == set(Role)


def test_identity_roles_are_the_ones_that_can_reveal_and_need_a_second_factor():
    assert IDENTITY_ROLES == {Role.INVESTIGATOR, Role.FORENSIC, Role.PROSECUTOR}
    assert TOTP_ROLES == IDENTITY_ROLES | {Role.ADMINISTRATOR}
    assert Role.ANALYST not in TOTP_ROLES and Role.EXTERNAL_VERIFIER not in TOTP_ROLES


def test_administrators_manage_compartments_but_see_no_case_material():
    admin = who(Role.ADMINISTRATOR, cases=("A",))
    assert decide(admin, Action.MANAGE_MEMBERSHIP).ok
    assert decide(admin, Action.READ_RECORDS, ["A"]).outcome == "forbidden"
    assert decide(admin, Action.REVEAL_IDENTITY, ["A"]).outcome == "forbidden"


def test_external_verifiers_read_exports_only():
    v = who(Role.EXTERNAL_VERIFIER)
    assert ROLE_ACTIONS[Role.EXTERNAL_VERIFIER] == {Action.READ_EXPORTS, Action.READ_LEDGER}
    assert decide(v, Action.READ_EXPORTS, ["A"]).ok
    assert decide(v, Action.READ_RECORDS, ["A"]).outcome == "forbidden"


@pytest.mark.parametrize("role", list(Role))
def test_a_case_the_user_is_not_a_member_of_is_not_found_whatever_the_role(role):
    d = decide(who(role, cases=("A",)), Action.READ_RECORDS, ["B"])
    assert d.outcome == "not_found"


def test_a_target_in_several_cases_is_reachable_through_any_of_them():
    assert decide(who(Role.ANALYST, cases=("B",)), Action.READ_RECORDS, ["A", "B"]).ok


def test_strictly_confidential_material_needs_the_restricted_action_and_is_audited():
    d = decide(who(Role.ANALYST), Action.READ_RECORDS, ["A"], level="strictly_confidential")
    assert d.outcome == "forbidden"
    d = decide(who(Role.INVESTIGATOR), Action.READ_RECORDS, ["A"], level="strictly_confidential")
    assert d.ok and d.audited
    assert not decide(who(Role.INVESTIGATOR), Action.READ_RECORDS, ["A"], level="confidential").audited


def test_crsv_material_is_open_only_to_specialists_named_for_its_case():
    assert decide(who(Role.INVESTIGATOR), Action.READ_RECORDS, ["A"], crsv=True).outcome == "forbidden"
    other = decide(who(Role.INVESTIGATOR, cases=("A", "B"), crsv=("B",)), Action.READ_RECORDS, ["A"], crsv=True)
    assert other.outcome == "forbidden"  # a specialist of another case is not one for this case
    d = decide(who(Role.INVESTIGATOR, crsv=("A",)), Action.READ_RECORDS, ["A"], crsv=True)
    assert d.ok and d.audited


def test_token_scopes_narrow_the_role():
    p = who(Role.INVESTIGATOR, scopes=("read",))
    assert decide(p, Action.READ_RECORDS, ["A"]).ok
    d = decide(p, Action.WRITE_RECORDS, ["A"])
    assert d.outcome == "forbidden" and "scopes" in d.reason
    assert decide(p, Action.REVEAL_IDENTITY, ["A"]).outcome == "forbidden"
    assert decide(who(Role.INVESTIGATOR, scopes=("read", "identity")), Action.REVEAL_IDENTITY, ["A"]).ok


def test_shared_reference_data_and_own_drafts_are_outside_compartments():
    p = who(Role.ANALYST, cases=())
    assert decide(p, Action.READ_RECORDS, [], shared=True).ok
    assert decide(p, Action.READ_RECORDS, [], own=True).ok
    assert decide(p, Action.READ_RECORDS, []).outcome == "not_found"


def test_case_free_actions_ignore_compartments():
    assert Action.MANAGE_USERS in CASE_FREE_ACTIONS
    assert decide(who(Role.ADMINISTRATOR, cases=()), Action.MANAGE_USERS).ok
    assert decide(who(Role.INVESTIGATOR), Action.MANAGE_USERS).outcome == "forbidden"


def test_roles_are_parsed_with_a_clear_error():
    assert parse_role("External-Verifier") is Role.EXTERNAL_VERIFIER
    with pytest.raises(InputError, match="the roles are: investigator, analyst"):
        parse_role("superuser")


def test_a_principal_repr_names_no_case():
    assert "A" not in repr(who(Role.INVESTIGATOR, cases=("A",))).replace("Principal", "")
