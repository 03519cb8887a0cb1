"""Item ids, case references and idempotency keys."""

from __future__ import annotations

import pytest

from svidok.errors import InputError
from svidok.evidence.ids import check_case_ref, check_item_id, idempotency_key, new_item_id


def test_item_ids_are_ulids_that_sort_by_time_and_do_not_collide():
    ids = [new_item_id(now_ms=1_700_000_000_000 + i) for i in range(200)]
    assert all(len(i) == 29 and i.startswith("EV-") for i in ids)
    assert ids == sorted(ids)
    same_ms = {new_item_id(now_ms=1_700_000_000_000) for _ in range(1000)}
    assert len(same_ms) == 1000
    assert check_item_id(ids[0].lower()) == ids[0]


@pytest.mark.parametrize("bad", ["", "EV-", "EV-123", "XX-01J0000000000000000000000", "EV-01J00000000000000000000000U"])
def test_malformed_item_ids_are_refused_naming_the_value(bad):
    with pytest.raises(InputError) as exc:
        check_item_id(bad)
    assert repr(bad) in exc.value.message


@pytest.mark.parametrize("ref", ["UA-2022-IZM-001", "case.7", "ICC-01/22", "a"])
def test_case_references_accepted(ref):
    assert check_case_ref(ref) == ref


@pytest.mark.parametrize("ref", ["", "-lead", "has space", "x" * 65, "кейс-1"])
def test_case_references_refused(ref):
    with pytest.raises(InputError) as exc:
        check_case_ref(ref)
    assert exc.value.fields["field"] == "case"


def test_idempotency_key_changes_with_every_component_but_not_otherwise():
    base = ("C-1", b"/cards/a/IMG_1.JPG", "sha256:" + "ab" * 32, "Collector A", "Laptop", "copy")
    key = idempotency_key(*base)
    assert key == idempotency_key(*base)
    for i in range(len(base)):
        changed = list(base)
        changed[i] = changed[i] + (b"x" if isinstance(changed[i], bytes) else "x")
        assert idempotency_key(*changed) != key, f"component {i} not in the key"
    # component boundaries are unambiguous ("ab" + "c" differs from "a" + "bc")
    assert idempotency_key("C-1", b"p", "d", "ab", "c", None) != idempotency_key("C-1", b"p", "d", "a", "bc", None)
