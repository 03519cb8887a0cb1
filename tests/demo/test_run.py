"""svidok demo as a library call: build, verify, reuse, refuse what is not a demo."""

from __future__ import annotations

import sqlalchemy as sa
import pytest

from svidok.db import schema as t
from svidok.demo.run import run_demo
from svidok.demo.world import plan
from svidok.errors import InputError
from svidok.records.links import LINK_TYPES
from svidok.records.places import distance_m
from svidok.workspace import init_workspace, open_workspace

from .snapshot import snapshot


def test_the_small_demo_records_every_planned_record_and_verifies(small_demo):
    result, _, _ = small_demo
    assert not result.reused and result.report is not None
    assert result.report.ok, result.report.findings
    assert result.report.warnings == []  # no identifying name left in clear text in the case model
    assert result.summary["records"] == plan("small").counts()
    assert set(result.summary["links"]) == set(LINK_TYPES)
    ev = result.summary["evidence"]
    assert ev["items"] == plan("small").size.evidence and ev["pending processing"] == 0
    assert set(ev["by type"]) == {"image/jpeg", "application/pdf", "video/mp4"}
    assert result.summary["disk"]["workspace folder"] > 0 and result.summary["ledger"]["latest checkpoint"]["size"] > 0


def test_photos_and_videos_carry_gps_that_intake_extracted_near_their_incident_place(small_demo):
    from svidok.evidence.queries import get_item, item_summary

    _, home, _ = small_demo
    ws = open_workspace(home)
    try:
        with ws.db.read() as s:
            links = s.execute(sa.select(t.record_link.c.source, t.record_link.c.target).where(
                t.record_link.c.link_type == "evidence", t.record_link.c.source.like("incident:%"))).all()  # fmt: skip
            assert len(links) == 18  # 16 photos and 2 videos
            for source, target in links:
                summary = item_summary(s, get_item(s, target.split(":", 1)[1]))
                place = s.execute(sa.select(t.place.c.lat, t.place.c.lon).join(t.incident, t.incident.c.place_id == t.place.c.id)
                                  .where(t.incident.c.id == source.split(":", 1)[1])).one()  # fmt: skip
                lat, lon = summary["gps.latitude"]["value"], summary["gps.longitude"]["value"]
                assert distance_m(lat, lon, place.lat, place.lon) <= 125, (target, lat, lon, place)
                assert "capture_time" in summary
    finally:
        ws.close()


def test_identified_persons_are_in_the_vault_and_interviewees_gave_consent(small_demo):
    from svidok.protect import consent

    _, home, _ = small_demo
    p = plan("small")
    ws = open_workspace(home)
    try:
        with ws.db.read() as s:
            in_vault = set(s.execute(sa.select(t.vault_person.c.person_id)).scalars())
            assert in_vault == {x.id for x in p.persons if x.identified}
            for iv in p.interviews:
                cur = consent.current(s, iv.interviewee.id)
                assert cur is not None and ("store", "holder", "investigation") in cur.grants
            # only call signs, flagged not identifying, are names of persons in the case model
            assert not s.execute(sa.select(t.person_name.c.id).where(t.person_name.c.is_identifying.is_(True))).first()
            narratives = " ".join(s.execute(sa.select(t.interview.c.narrative)).scalars())
            assert any(x.name.uk in narratives or x.name.ru in narratives or x.name.en in narratives for x in p.persons)
    finally:
        ws.close()


def test_a_second_run_reuses_the_demo_quickly_and_records_nothing(small_demo):
    result, home, _ = small_demo
    ws = open_workspace(home)
    with ws.db.read() as s:
        before = ws.ledger.head(s).size
    ws.close()
    again = run_demo(home, "small")
    assert again.reused and again.report is None
    assert again.summary["records"] == result.summary["records"]
    assert again.summary["ledger"]["entries"] == before
    assert again.seconds < max(5.0, (result.build_seconds or 0) / 4)
    assert again.build_seconds == round(result.build_seconds or 0, 1)


def test_the_same_size_gives_the_same_records_ids_and_file_bytes(small_demo, tmp_path, new_db_url):
    _, home, _ = small_demo
    other = run_demo(tmp_path / "again", "small", db_url=new_db_url(), verify=False)
    assert not other.reused
    a, b = open_workspace(home), open_workspace(tmp_path / "again")
    try:
        sa_, sb = snapshot(a), snapshot(b)
    finally:
        a.close()
        b.close()
    for key in sa_:
        assert sa_[key] == sb[key], key


def test_another_size_in_the_same_folder_is_refused_and_nothing_is_written(small_demo):
    _, home, _ = small_demo
    ws = open_workspace(home)
    with ws.db.read() as s:
        before = ws.ledger.head(s).size
    with pytest.raises(InputError, match="holds the small demo"):
        run_demo(home, "large")
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == before
    ws.close()


def test_a_workspace_that_is_not_a_demo_is_never_touched(tmp_path, db_url):
    ws = init_workspace(tmp_path / "real", db_url=db_url)
    with ws.transaction("test:runner") as txn:
        txn.append("note", {"text": "team arrived"})
    with pytest.raises(InputError, match="not a demo"):
        run_demo(tmp_path / "real", "small")
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 1
    ws.close()
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        run_demo(tmp_path / "folder", "small")
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == ["notes.txt"]


def test_a_half_built_demo_of_another_generator_version_is_not_resumed(tmp_path, db_url):
    from svidok.demo import state as st

    home = tmp_path / "old"
    st.write_marker(home, "small", "svidok-demo/0")
    ws = init_workspace(home, db_url=db_url)
    with ws.transaction("svidok:demo") as txn:
        txn.append(st.STARTED, {"generator": "svidok-demo/0", "size": "small"}, subjects=[st.SUBJECT])
    with pytest.raises(InputError, match="another generator"):
        run_demo(home, "small")
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 1
    ws.close()


def test_a_database_that_holds_a_ledger_is_never_used_for_a_new_demo(tmp_path, db_url):
    ws = init_workspace(tmp_path / "real", db_url=db_url)
    with ws.transaction("test:runner") as txn:
        txn.append("note", {"text": "real work"})
    with pytest.raises(InputError, match="already holds a ledger"):
        run_demo(tmp_path / "demo", "small", db_url=db_url)
    with ws.db.read() as s:
        assert ws.ledger.head(s).size == 1
    ws.close()


def test_an_unknown_size_is_refused_before_anything_is_created(tmp_path):
    with pytest.raises(InputError, match="not a demo size"):
        run_demo(tmp_path / "x", "medium")
    assert not (tmp_path / "x").exists()
