"""Demands read model, writing side: ``demand_demands`` and ``demand_proposals`` (migration 0029).

Every value derives from the events alone (times are event timestamps), so a rebuild reproduces identical
rows. A proposal's content is written on submission; ``projections.demand.demands_queries`` withholds it from
the enterprise until the demand's ``closes_at``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.demand.demand import Demand, closes_at
from projections.deals.view import handler_key
from projections.shared.base import PostgresReadModelView
from projections.shared.records import EventRecord, plain
from projections.shared.topics import event_topics

Handler = Callable[[Cursor[DictRow], EventRecord], None]


def search_text(fields: dict[str, object], ipc_codes: list[str]) -> str:
    parts = [str(fields.get(k, "")) for k in ("title_zh", "title_en", "description_zh", "description_en", "problem",
                                               "targets")]
    parts += [str(k) for k in fields.get("keywords", [])]  # type: ignore[attr-defined]
    parts += ipc_codes
    return " ".join(parts).casefold()


class PostgresDemandsView(PostgresReadModelView):
    name = "demands"
    tables = ("demand_demands", "demand_proposals", "demand_questions")
    topics = event_topics(Demand, "Posted", "ProposalSubmitted", "ProposalShortlisted", "ProposalAwarded",
                          "ProposalDeclined", "OfferMade",
                          "DevelopmentContractDrafted", "QuestionAsked", "QuestionAnswered",
                          "SentBackForClarification", "Resubmitted")

    def apply(self, curs: Cursor[DictRow], records: Sequence[EventRecord]) -> None:
        handlers: dict[tuple[str, str], Handler] = {
            ("Demand", "Posted"): self._posted,
            ("Demand", "ProposalSubmitted"): self._submitted,
            ("Demand", "ProposalShortlisted"): lambda c, r: self._state(c, r, "shortlisted"),
            ("Demand", "ProposalAwarded"): self._awarded,
            ("Demand", "ProposalDeclined"): self._declined,
            ("Demand", "OfferMade"): self._offer_made,
            ("Demand", "DevelopmentContractDrafted"): self._contract_drafted,
            ("Demand", "QuestionAsked"): lambda c, r: self._thread(c, r, "question"),
            ("Demand", "QuestionAnswered"): lambda c, r: self._thread(c, r, "answer"),
            ("Demand", "SentBackForClarification"): self._sent_back,
            ("Demand", "Resubmitted"): self._resubmitted,
        }
        for r in records:
            handler = handlers.get(handler_key(r.topic))
            if handler is not None:
                handler(curs, r)

    @staticmethod
    def _posted(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        f = d["details"]
        codes = list(d["ipc_codes"])
        curs.execute(
            "INSERT INTO demand_demands (id, organisation_id, posted_by, title_zh, title_en, description_zh,"
            " description_en, problem, current_solution, targets, ipc_codes, ipc_classes, keywords, budget_min,"
            " budget_max, deadline, closes_at, wants, visibility, status, posted_at, search, version)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'open', %s, %s, %s)",
            (r.originator_id, d["organisation_id"], d["by"], f["title_zh"], f["title_en"], f["description_zh"],
             f["description_en"], f["problem"], f["current_solution"], f["targets"], codes,
             sorted({c.replace(" ", "")[:4] for c in codes}), f["keywords"], f["budget_min"], f["budget_max"],
             f["deadline"], closes_at(date.fromisoformat(f["deadline"])), f["wants"], f["visibility"], r.timestamp,
             search_text(f, codes), r.version))

    @staticmethod
    def _bump(curs: Cursor[DictRow], r: EventRecord, extra: str = "", values: tuple[object, ...] = ()) -> None:
        curs.execute(f"UPDATE demand_demands SET version = %s{extra} WHERE id = %s",  # noqa: S608 - fixed text
                     (r.version, *values, r.originator_id))

    @staticmethod
    def _submitted(curs: Cursor[DictRow], r: EventRecord) -> None:
        d = plain(r.data)
        content = d["content"]
        curs.execute(
            "INSERT INTO demand_proposals (id, demand_id, organisation_id, submitted_by, sha256, content, want,"
            " state, submitted_at, position) VALUES (%s, %s, %s, %s, %s, %s, %s, 'submitted', %s, %s)",
            (d["proposal_id"], r.originator_id, d["organisation_id"], d["by"], d["sha256"],
             json.dumps(content, ensure_ascii=False), content["want"], r.timestamp, r.position))
        PostgresDemandsView._bump(curs, r, ", proposals = proposals + 1,"
                                  " first_proposal_at = COALESCE(first_proposal_at, %s)", (r.timestamp,))

    @staticmethod
    def _state(curs: Cursor[DictRow], r: EventRecord, state: str) -> None:
        curs.execute("UPDATE demand_proposals SET state = %s WHERE id = %s",
                     (state, plain(r.data["proposal_id"])))
        PostgresDemandsView._bump(curs, r)

    @staticmethod
    def _awarded(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE demand_proposals SET state = 'awarded', decided_at = %s WHERE id = %s",
                     (r.timestamp, plain(r.data["proposal_id"])))
        PostgresDemandsView._bump(curs, r, ", status = 'awarded', decided = decided + 1")

    @staticmethod
    def _declined(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE demand_proposals SET state = 'declined', reason = %s, reason_text = %s, decided_at = %s"
                     " WHERE id = %s", (r.data["reason"], r.data["text"], r.timestamp, plain(r.data["proposal_id"])))
        PostgresDemandsView._bump(curs, r, ", decided = decided + 1")

    @staticmethod
    def _thread(curs: Cursor[DictRow], r: EventRecord, kind: str) -> None:
        d = plain(r.data)
        curs.execute("INSERT INTO demand_questions (proposal_id, number, demand_id, kind, text, by_user, at)"
                     " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                     (d["proposal_id"], d["number"], r.originator_id, kind, d["text"], d.get("by"), r.timestamp))
        PostgresDemandsView._bump(curs, r)

    @staticmethod
    def _sent_back(curs: Cursor[DictRow], r: EventRecord) -> None:
        PostgresDemandsView._bump(curs, r, ", status = 'clarifying', clarify_reason = %s", (r.data["reason"],))

    @staticmethod
    def _resubmitted(curs: Cursor[DictRow], r: EventRecord) -> None:
        f = plain(r.data)["details"]
        curs.execute("SELECT ipc_codes FROM demand_demands WHERE id = %s", (r.originator_id,))
        found = curs.fetchone()
        codes = list(found["ipc_codes"]) if found else []
        PostgresDemandsView._bump(
            curs, r, ", status = 'open', problem = %s, current_solution = %s, targets = %s, budget_min = %s,"
            " budget_max = %s, search = %s",
            (f["problem"], f["current_solution"], f["targets"], f["budget_min"], f["budget_max"],
             search_text(f, codes)))

    @staticmethod
    def _contract_drafted(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE demand_proposals SET contract_id = %s WHERE id = %s",
                     (plain(r.data["contract_id"]), plain(r.data["proposal_id"])))
        PostgresDemandsView._bump(curs, r)

    @staticmethod
    def _offer_made(curs: Cursor[DictRow], r: EventRecord) -> None:
        curs.execute("UPDATE demand_proposals SET offer_id = %s WHERE id = %s",
                     (plain(r.data["offer_id"]), plain(r.data["proposal_id"])))
        PostgresDemandsView._bump(curs, r)
