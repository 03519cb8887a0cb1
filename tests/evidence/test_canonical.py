"""Values for ledger payloads and JSON columns."""

from __future__ import annotations

from svidok.evidence.canonical import canonical_text, ledger_safe
from svidok.ledger.entry import Entry


def test_ledger_safe_turns_what_i_json_refuses_into_acceptable_values():
    hostile = {"big": 2**64 + 1, "neg": -(2**60), "ok": 2**53 - 1, "nan": float("nan"), "inf": float("inf"),
               "nested": [{"x": 2**70}], 3: "int key", "tuple": (1, 2)}
    safe = ledger_safe(hostile)
    assert safe["big"] == str(2**64 + 1) and safe["neg"] == str(-(2**60)) and safe["ok"] == 2**53 - 1
    assert safe["nan"] is None and safe["inf"] is None and safe["nested"] == [{"x": str(2**70)}]
    assert safe["3"] == "int key" and safe["tuple"] == [1, 2]
    Entry(type="t", time="2024-01-01T00:00:00.000000Z", actor="a", origin="o", payload=safe).encode()


def test_canonical_text_is_the_same_for_live_values_and_values_read_back_from_an_entry():
    live = {"b": 1.0, "a": [0.5, 2.0], "é": "x"}
    entry = Entry(type="t", time="2024-01-01T00:00:00.000000Z", actor="a", origin="o", payload={"v": live})
    replayed = Entry.decode(entry.encode()).payload["v"]
    assert replayed["b"] == 1 and isinstance(replayed["b"], int)  # how a replay sees 1.0
    assert canonical_text(live) == canonical_text(replayed) == '{"a":[0.5,2],"b":1,"é":"x"}'
