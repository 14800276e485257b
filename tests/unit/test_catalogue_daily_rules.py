"""Rules behind issue 11's catalogue pages: what a typed patent number is searched as, and when a patent
expires by itself at the end of its term."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.catalogue.patent import TERM_ENDED
from domain.shared.errors import ConflictError
from projections.shared.search import number_lexemes, query_parts
from tests.unit.test_patent_rules import cn, register


@pytest.mark.parametrize("typed", ["201710451976.4", "CN201710451976.4", "CN 201710451976.4", "ZL201710451976.4",
                                   "2017104519764", "201710451976", "cn201710451976.4"])
def test_an_application_number_however_typed_is_one_of_the_patents_lexemes(typed: str) -> None:
    latin, simple = query_parts(typed)
    assert latin == ""
    assert simple in number_lexemes("201710451976.4", "CN107123456A")


@pytest.mark.parametrize("typed", ["CN107123456A", "CN107123456B", "107123456", "cn107123456b"])
def test_a_publication_number_with_any_kind_code_is_found(typed: str) -> None:
    assert query_parts(typed)[1] in number_lexemes("201710451976.4", "CN107123456A")


def test_a_wrong_check_character_or_number_is_not_found_and_words_stay_words() -> None:
    lexemes = number_lexemes("201710451976.4", "CN107123456A")
    assert query_parts("201710451976.5")[1] not in lexemes
    assert query_parts("CN107123457A")[1] not in lexemes
    assert query_parts("battery 2017 H01M") == ("battery 2017 H01M", "")
    assert query_parts("锂电池 CN107123456B") == ("", "pn107123456 & 锂电 & 电池")
    assert number_lexemes(None, "", "电池") == []


def test_a_patent_expires_on_its_expiry_date_not_before_and_only_once() -> None:
    patent = register(application_number=cn("200610123456"), filing_date=date(2006, 3, 10), legal_status="granted")
    assert patent.expiry_date == "2026-03-10"
    by = uuid4()
    with pytest.raises(ConflictError, match="has not ended"):
        patent.expire_at_term(date(2026, 3, 9), by=by)
    patent.expire_at_term(date(2026, 3, 10), by=by)
    assert patent.legal_status == "expired"
    event = patent.collect_events()[-1]
    assert (event.status, event.effective_date, event.reason) == ("expired", "2026-03-10", TERM_ENDED)  # type: ignore[attr-defined]
    with pytest.raises(ConflictError, match="does not expire"):
        patent.expire_at_term(date(2026, 3, 11), by=by)


def test_a_lapsed_patent_does_not_expire_at_term() -> None:
    patent = register(filing_date=date(2000, 1, 1), legal_status="lapsed")
    with pytest.raises(ConflictError, match="lapsed patent does not expire"):
        patent.expire_at_term(date(2026, 1, 1), by=uuid4())
