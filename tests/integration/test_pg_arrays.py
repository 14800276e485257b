"""The event store's typed array parameters (``marketplace.platform.pg_arrays``) reach PostgreSQL as the values they
hold, typed as the arrays they are: every event a save sends is stored as the command made it, whatever its text,
and a value that cannot be encoded sends nothing."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest
from eventsourcing.utils import get_topic

from domain.catalogue.patent import Patent
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
             ByteaArray([b"\x00\x01\xff", b"", memoryview(b"mv")]), UuidArray([]), TextArray([None, "b"]),
             UuidArray([str(ids[0])])),
        ).fetchone()
        nulls = conn.execute("SELECT %s::uuid[], %s::bigint[], %s::bytea[]",
                             (UuidArray([None, ids[1]]), BigintArray([7, None]), ByteaArray([None]))).fetchone()
    assert row == (ids, [1, -(2**63), 2**63 - 1], texts, [b"\x00\x01\xff", b"", b"mv"], [], [None, "b"], [ids[0]])
    assert nulls == ([None, ids[1]], [7, None], [None])


def test_each_array_is_sent_as_its_type_even_empty_or_uncast(database: DatabaseAddress) -> None:
    """Typed by the parameter itself: a plain list of small integers would go as ``smallint[]``, an empty one
    with no type at all."""
    with psycopg.connect(database.conninfo()) as conn:
        row = conn.execute("SELECT pg_typeof(%s)::text, pg_typeof(%s)::text, pg_typeof(%s)::text, pg_typeof(%s)::text",
                           (UuidArray([]), BigintArray([1]), TextArray([]), ByteaArray([]))).fetchone()
    assert row == ("uuid[]", "bigint[]", "text[]", "bytea[]")


def test_a_value_that_cannot_be_encoded_is_refused_before_anything_is_sent(database: DatabaseAddress) -> None:
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        with pytest.raises(psycopg.DataError, match="bigint out of range"):
            conn.execute("SELECT %s::bigint[]", (BigintArray([2**63]),))
        with pytest.raises(TypeError, match="bytea element must be bytes"):
            conn.execute("SELECT %s::bytea[]", (ByteaArray([3]),))  # type: ignore[list-item]
        with pytest.raises(psycopg.DataError):  # PostgreSQL refuses a NUL in text
            conn.execute("SELECT %s::text[]", (TextArray(["a\x00b"]),))
        assert conn.execute("SELECT 1").fetchone() == (1,)  # the connection is still usable


def test_a_command_stores_its_event_as_made(world: World, database: DatabaseAddress) -> None:
    """The patent registered by the deal helpers is saved through the typed parameters: its row has its id, version
    1, the Registered topic and the JSON of its bibliographic record, Chinese title included."""
    patent = world.get(world["patent"])
    with psycopg.connect(database.conninfo()) as conn:
        rows = conn.execute("SELECT originator_id, originator_version, topic, state FROM marketplace_events"
                            " WHERE originator_id = %s ORDER BY originator_version", (patent.id,)).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(patent.id, v) for v in range(1, patent.version + 1)]
    assert rows[0][2] == get_topic(Patent.Registered)
    state = json.loads(bytes(rows[0][3]))
    assert state["title_zh"] == "一种锂电池隔膜"
    assert state["ipc_codes"] == ["H01M 2/14"]
