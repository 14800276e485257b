"""Refusals in the reader's words (web.refusals): every code the marketplace raises has its Chinese and English
rule, values are formatted for people, fields are named by their labels, msgspec's complaints are read into codes;
and an open-licence contract drafted now says nothing in English inside its Chinese text."""

from __future__ import annotations

import re
import string
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.catalogue import patent_deals
from domain.catalogue.patent_numbers import cn_check_character, parse_application_number
from domain.deals.contract_text import render_contract
from domain.deals.contracting import open_licence_terms
from domain.shared.errors import DomainError, OfferExpiredError, PermissionDeniedError, ValidationError
from domain.shared.money import check_amount
from domain.shared.text import checked
from web.refusals import REFUSAL_LABELS, field_label, input_refusal, refusal_body, refusal_text
from web.vocabulary import site_vocabulary

ROOT = Path(__file__).resolve().parents[2]
VOCABULARY = site_vocabulary()
_CODE = re.compile(r"""\bcode="([a-z_.]+)\"""")


def raised(call: object) -> DomainError:
    assert callable(call)
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def both(error: DomainError) -> tuple[str, str]:
    return refusal_text(error, VOCABULARY, "zh"), refusal_text(error, VOCABULARY, "en")


def test_every_code_raised_has_a_rule_in_both_languages() -> None:
    codes: set[str] = set()
    for folder in ("domain", "marketplace", "web"):
        for source in (ROOT / folder).rglob("*.py"):
            codes |= set(_CODE.findall(source.read_text(encoding="utf-8")))
    assert {"number.check_character", "trl.range", "offer.not_your_turn", "auth.failed"} <= codes
    missing = sorted(c for c in codes if f"refusal.{c}" not in REFUSAL_LABELS)
    assert not missing, f"codes without a rule in web/refusals.py: {missing}"


def test_each_rule_names_the_same_values_in_both_languages() -> None:
    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, (zh, en) in REFUSAL_LABELS.items():
        assert names(zh) == names(en), key


def test_a_wrong_check_character_names_the_field_and_both_characters() -> None:
    digits = "202010123456"
    wrong = "1" if cn_check_character(digits) != "1" else "2"
    error = raised(lambda: parse_application_number(f"{digits}.{wrong}", office="CN", field="application_number"))
    assert error.message == f"application_number: check character should be {cn_check_character(digits)}, got {wrong}"
    assert (error.code, error.field) == ("number.check_character", "application_number")
    zh, en = both(error)
    assert zh == f"申请号：校验位应为 {cn_check_character(digits)}，填写的是 {wrong}，请核对号码"
    assert (
        en == f"Application number: the check character should be {cn_check_character(digits)}, not {wrong}; "
        "check the number"
    )


def test_a_refused_character_is_named_by_its_code_point_and_kind() -> None:
    zh, en = both(raised(lambda: checked("摘要\u200b", "abstract_zh", "lines")))
    assert zh == "中文摘要：第 3 个字符（U+200B）是不可见的格式字符，请删除"
    assert en == "Chinese abstract: character 3 (U+200B) is an invisible format character; remove it"
    zh, _ = both(raised(lambda: checked("标题\n下一行", "title_zh")))
    assert zh == "中文标题：第 3 个字符（U+000A）是换行符，此处只能填写一行，请删除"


def test_amount_limits_are_said_as_money() -> None:
    zh, en = both(raised(lambda: check_amount(10**16, "minimum_annual_royalty")))
    assert zh == "年度最低提成费：不得超过 1,000,000,000 万元"
    assert en == "Minimum annual royalty: must be at most CNY 10,000,000,000,000"
    assert both(raised(lambda: check_amount(-1, "amount"))) == ("金额：不能为负数", "Amount: must not be negative")


def test_instants_are_said_in_beijing_time_and_statuses_sides_and_roles_by_their_labels() -> None:
    expired = OfferExpiredError(
        "offer_id: …", field="offer_id", code="offer.expired", at=datetime(2026, 3, 16, 1, 0, tzinfo=UTC)
    )
    assert both(expired) == (
        "报价：该报价已于 2026-03-16 09:00（北京时间）过期",
        "Offer: the offer expired at 2026-03-16 09:00 (Beijing time)",
    )
    turn = DomainError("offer_id: …", field="offer_id", code="offer.not_your_turn", side="seller")
    assert both(turn)[0] == "报价：现在轮到卖方答复，请等待对方"
    closed = DomainError("offer_id: …", field="offer_id", code="offer.closed", offer_status="withdrawn")
    assert both(closed) == (
        "报价：该报价已撤回，不能再进行此操作",
        "Offer: the offer is withdrawn: this can no longer be done",
    )
    role = PermissionDeniedError(
        "this needs the role auditor or platform_admin", code="role.needed", roles=["auditor", "platform_admin"]
    )
    assert both(role) == ("此操作需要以下角色：审计员、平台管理员", "This needs the role Auditor, Platform admin")


def test_a_nested_field_is_named_by_its_parts_and_item_number() -> None:
    assert field_label(VOCABULARY, "zh", "owners.1.share") == "专利权人 · 第 2 项 · 份额 %"
    assert field_label(VOCABULARY, "en", "open_licence.fee") == "Open-licence fee (CNY)"
    assert field_label(VOCABULARY, "en", "no_such_field") is None


def test_an_uncoded_rule_keeps_its_english_but_says_internal_names_by_their_labels() -> None:
    error = ValidationError("period_end: must not be before period_start", field="period_end")
    assert both(error) == ("报告期止：must not be before 报告期起", "Period end: must not be before Period start")
    shaped = ValidationError("display_name: must be 1 to 100 characters", field="display_name")
    assert both(shaped) == ("姓名：须为 1 至 100 个字符", "Name: must be 1 to 100 characters")


@pytest.mark.parametrize(
    ("message", "code", "params"),
    [
        ("Object missing required field `price`", "required", {}),
        ("Object contains unknown field `prise`", "unknown_field", {}),
        ("Expected `int | null`, got `str` - at `$.trl`", "type.int", {}),
        ("Expected `int` >= 1 - at `$.valid_days`", "at_least", {"low": "1"}),
        ("Expected `float` <= 100.0 - at `$.share`", "at_most", {"high": "100"}),
        ("Expected `str` of length <= 500 - at `$.note`", "too_long", {"most": "500"}),
        ("Expected `array` of length >= 2 - at `$.x`", "too_few", {"least": "2"}),
        ("Invalid RFC3339 encoded date - at `$.start`", "date", {}),
        ("Invalid enum value 'x' - at `$.kind`", "choice", {}),
        ("Something else entirely", None, {}),
    ],
)
def test_msgspec_complaints_are_read_into_codes(message: str, code: str | None, params: dict[str, str]) -> None:
    assert input_refusal(message) == (code, params)


def test_the_api_body_keeps_the_recorded_rule_for_a_reader_who_names_no_language() -> None:
    error = ValidationError(
        "trl: technology readiness level must be 1 to 9", field="trl", code="trl.range", low=1, high=9
    )
    assert refusal_body(error, VOCABULARY, None) == {
        "detail": "trl: technology readiness level must be 1 to 9",
        "field": "trl",
        "code": "trl.range",
    }
    assert refusal_body(error, VOCABULARY, "zh")["detail"] == "技术就绪度 TRL：技术就绪度须在 1 至 9 之间"
    assert refusal_body(error, VOCABULARY, "en")["detail"] == "TRL: the technology readiness level must be 1 to 9"


def test_an_open_licence_contract_drafted_now_has_no_english_in_its_chinese_text() -> None:
    terms = open_licence_terms(
        {"fee": 100_000, "currency": "CNY", "term_years": 5, "royalty_rate": 300}, date(2026, 1, 1)
    )
    zh, en = render_contract(
        contract_id=uuid.UUID(int=7),
        kind="open_licence",
        terms=terms.as_dict(),
        patent_title_zh="一种电池",
        patent_title_en="A battery",
        patent_number="CN202010123456.2",
        seller_name="甲大学",
        buyer_name="乙公司",
        notice_ends_at=None,
    )
    assert "开放许可" in zh
    assert "Open licence" in en
    assert set(re.findall(r"[A-Za-z]{3,}", zh)) <= {"SHA"}, zh
    assert "open licence" not in zh


def test_each_reason_a_refund_cannot_undo_a_transfer_has_its_own_rule() -> None:
    from marketplace.deals.payments import _TRANSFER_KEPT

    source = (ROOT / "domain" / "catalogue" / "patent_deals.py").read_text(encoding="utf-8")
    body = source.split("def why_transfer_cannot_be_reverted", 1)[1].split("\n    def ", 1)[0]
    reasons = {getattr(patent_deals, name) for name in re.findall(r"return ([A-Z_]+)$", body, flags=re.M)}
    assert reasons, body
    assert reasons == set(_TRANSFER_KEPT), reasons
    assert all(f"refusal.{code}" in REFUSAL_LABELS for code in _TRANSFER_KEPT.values())


def test_amounts_a_payment_is_refused_for_are_said_as_money_to_the_fen() -> None:
    error = ValidationError(
        "amount: 4000000 is due, not 3999999", field="amount", code="payment.amount_due", due=4_000_000, given=3_999_999
    )
    assert both(error) == (
        "金额：应付金额为 40,000.00 元，填写的是 39,999.99 元",
        "Amount: CNY 40,000 is due, not CNY 39,999.99",
    )


def test_a_field_two_trades_name_alike_is_labelled_for_the_refusals_trade() -> None:
    vocabulary = site_vocabulary()
    assert field_label(vocabulary, "zh", "purpose", "payment.closed") == "款项"
    assert field_label(vocabulary, "zh", "purpose", "valuation.purpose") == field_label(vocabulary, "zh", "purpose")
    assert field_label(vocabulary, "en", "claim_id", "claim.state") == "Programme claim"
    assert field_label(vocabulary, "en", "claim_id", "ownership_claim.decided") != "Programme claim"


def test_auction_and_demand_amounts_are_said_in_yuan_not_fen() -> None:
    low = ValidationError("bid too low", field="amount", code="auction.bid_too_low", least=1_234_500)
    zh, en = both(low)
    assert "12,345.00 元" in zh
    assert "CNY 12,345" in en
    assert "分" not in zh
    assert "fen" not in en
    step = ValidationError("off the grid", field="amount", code="auction.bid_step", increment=50_000)
    assert "500.00 元" in both(step)[0]
    budget = ValidationError("too much", field="budget_max", code="demand.money", most=10**15)
    assert both(budget) == ("预算上限：金额应在 0 至 1,000,000,000 万元 之间",
                            "Budget up to: an amount is between 0 and CNY 10,000,000,000,000")
