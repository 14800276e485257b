"""The event store's typed array parameters (``marketplace.platform.pg_arrays``) reach PostgreSQL as the values they
hold: every event a save sends is stored as it was, whatever its text, and a value that cannot be encoded sends
nothing."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from marketplace.platform.database import DatabaseAddress
from marketplace.platform.pg_arrays import BigintArray, ByteaArray, TextArray, UuidArray
from tests.unit.deal_helpers import World


def test_each_array_arrives_as_sent(database: DatabaseAddress) -> None:
    ids = [uuid.uuid4(), uuid.uuid4()]
    texts = ["domain.catalogue.patent:Patent.Registered", "福州 \"引号\",{括号}\\", "", "\u202eevil"]
    with psycopg.connect(database.conninfo()) as conn:
        row = conn.execute(
            "SELECT %s::uuid[], %s::bigint[], %s::text[], %s::bytea[], %s::uuid[], %s::text[], %s::uuid[]",
            (UuidArray(ids), BigintArray([1, -(2**63), 2**63 - 1]), TextArray(texts),
             ByteaArray([b"\x00\x01\xff", b""]), UuidArray([]), TextArray([None, "b"]), UuidArray([str(ids[0])])),
        ).fetchone()
    assert row == (ids, [1, -(2**63), 2**63 - 1], texts, [b"\x00\x01\xff", b""], [], [None, "b"], [ids[0]])


def test_a_value_that_cannot_be_encoded_sends_nothing(database: DatabaseAddress) -> None:
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (v bigint[])")
        with pytest.raises(Exception, match=r"too large|out of range"):
            conn.execute("INSERT INTO t VALUES (%s)", (BigintArray([2**63]),))
        with pytest.raises(psycopg.DataError):  # PostgreSQL refuses a NUL in text
            conn.execute("INSERT INTO t SELECT ARRAY[length(x)] FROM unnest(%s::text[]) x", (TextArray(["a\x00b"]),))
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_saved_events_are_stored_byte_for_byte(world: World, database: DatabaseAddress) -> None:
    """Commands save through the typed parameters: the stored rows decode to the aggregates the commands made."""
    app = world.app
    patent = world.get(world["patent"])
    with psycopg.connect(database.conninfo()) as conn:
        rows = conn.execute("SELECT originator_version, topic, state FROM marketplace_events"
                            " WHERE originator_id = %s ORDER BY originator_version", (patent.id,)).fetchall()
    assert [r[0] for r in rows] == list(range(1, patent.version + 1))
    stored = list(app.repository.event_store.get(patent.id))
    encoded = [app.mapper.to_stored_event(e) for e in stored]
    assert [(e.topic, e.state) for e in encoded] == [(r[1], bytes(r[2])) for r in rows]
    assert vars(app.repository.replay(patent.id)) == vars(patent)
