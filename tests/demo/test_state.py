"""What a folder holds as a demo workspace."""

from __future__ import annotations

import pytest

from svidok.demo import state as st
from svidok.errors import InputError
from svidok.workspace import init_workspace


def test_a_missing_or_empty_folder_is_absent(tmp_path):
    assert st.inspect(tmp_path / "nope").status == "absent"
    (tmp_path / "empty").mkdir()
    assert st.inspect(tmp_path / "empty").status == "absent"
    (tmp_path / "empty" / st.LOCK).write_text("")
    assert st.inspect(tmp_path / "empty").status == "absent"


def test_a_build_killed_during_init_is_recognised_and_its_leftovers_cleared(tmp_path):
    home = tmp_path / "home"
    st.write_marker(home, "small", "g")
    (home / "keys").mkdir()
    (home / "keys" / "ledger.key").write_text("half")
    (home / "svidok.db").write_text("")
    state = st.inspect(home)
    assert state.status == "initialising" and state.size == "small"
    st.clear_initialising(home)
    assert sorted(p.name for p in home.iterdir()) == [st.MARKER]


def test_a_folder_with_other_files_is_foreign_even_with_a_marker(tmp_path):
    home = tmp_path / "home"
    st.write_marker(home, "small", "g")
    (home / "thesis.docx").write_text("x")
    assert st.inspect(home).status == "foreign"


def test_a_fresh_demo_workspace_is_empty_and_a_started_one_knows_its_size(tmp_path, db_url):
    home = tmp_path / "home"
    st.write_marker(home, "small", "g")
    ws = init_workspace(home, db_url=db_url)
    assert st.inspect(home).status == "empty"
    with ws.transaction("svidok:demo") as txn:
        txn.append(st.STARTED, {"size": "small"}, subjects=[st.SUBJECT])
    assert st.inspect(home) == st.DemoState("started", size="small")  # no generator named in this payload
    with ws.transaction("svidok:demo") as txn:
        txn.append(st.COMPLETED, {"size": "small", "seconds": 1.5}, subjects=[st.SUBJECT])
    done = st.inspect(home)
    assert done.status == "completed" and done.completed == {"size": "small", "seconds": 1.5} and done.completed_at
    ws.close()


def test_a_workspace_with_entries_but_no_demo_entry_is_foreign(tmp_path, db_url):
    home = tmp_path / "home"
    st.write_marker(home, "small", "g")  # even with our marker: its ledger is someone's work
    ws = init_workspace(home, db_url=db_url)
    with ws.transaction("t") as txn:
        txn.append("note", {"n": 1})
    ws.close()
    assert st.inspect(home).status == "foreign"


def test_two_builds_cannot_hold_the_lock_of_one_folder(tmp_path):
    with st.locked(tmp_path):
        with pytest.raises(InputError, match="another 'svidok demo'"):
            with st.locked(tmp_path):
                pass
    with st.locked(tmp_path):
        pass
