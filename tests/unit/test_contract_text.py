"""The contract text rendered from a deal's terms, in Chinese and English, and its signed digest."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

import pytest

from domain.deals.contract_text import render_contract, text_sha256
from domain.shared.errors import ValidationError

CONTRACT_ID = UUID("6f1c2b9e-3d4a-5b6c-8d7e-9f0a1b2c3d4e")


def licence_terms(**overrides: Any) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "kind": "exclusive_licence",
        "price": 123_456_789,
        "currency": "CNY",
        "scope": {"field_of_use": "动力电池", "territory": "中国大陆", "start": "2025-01-01", "end": "2029-12-31"},
        "sublicensable": False,
        "royalty_rate": 500,
        "minimum_annual_royalty": 10_000_000,
        "milestones": [{"name": "中试完成", "amount": 5_000_000}],
        "instalments": [{"due": None, "amount": 23_456_789}, {"due": "2025-06-30", "amount": 100_000_000}],
        "note": "技术资料于签约后30日内交付",
    }
    terms.update(overrides)
    return terms


def assignment_terms(**overrides: Any) -> dict[str, Any]:
    terms = licence_terms(
        kind="assignment", price=300_000_000, scope=None, royalty_rate=0, minimum_annual_royalty=0,
        milestones=[], instalments=[], note="",
    )  # fmt: skip
    terms.update(overrides)
    return terms


def render(kind: str = "exclusive_licence", terms: dict[str, Any] | None = None, **overrides: Any) -> tuple[str, str]:
    values: dict[str, Any] = {
        "contract_id": CONTRACT_ID,
        "kind": kind,
        "terms": terms if terms is not None else licence_terms(kind=kind),
        "patent_title_zh": "一种锂电池隔膜",
        "patent_title_en": "A lithium battery separator",
        "patent_number": "ZL202010123456.7",
        "seller_name": "福州大学",
        "buyer_name": "宁德新能源科技有限公司",
        "notice_ends_at": "2025-01-20T00:00:00Z",
    }
    values.update(overrides)
    return render_contract(**values)


def test_licence_text_states_every_term_in_chinese() -> None:
    zh, _ = render()
    for expected in [
        "专利实施许可合同（独占实施许可）",
        f"合同编号：{CONTRACT_ID}",
        "甲方（许可方）：福州大学",
        "乙方（被许可方）：宁德新能源科技有限公司",
        "专利号：ZL202010123456.7",
        "专利名称：一种锂电池隔膜",
        "仅乙方可以实施本专利，甲方本人亦不得实施",
        "乙方无权允许合同规定以外的任何单位或者个人实施本专利",
        "实施领域：动力电池",
        "地域范围：中国大陆",
        "许可期限：自2025年1月1日起至2029年12月31日止",
        "入门费为 ¥1,234,567.89。",
        "（1）签约时支付 ¥234,567.89；",
        "（2）于2025年6月30日前支付 ¥1,000,000.00。",
        "（1）中试完成：¥50,000.00",
        "净销售额的 5.00% 向甲方支付提成费",
        "保底许可费）¥100,000.00",
        "专利实施许可合同备案",
        "公示期至 2025-01-20T00:00:00Z 止",
        "技术资料于签约后30日内交付",
        "第九条 签署与生效",
    ]:
        assert expected in zh, expected


def test_licence_text_states_every_term_in_english() -> None:
    _, en = render()
    for expected in [
        "Patent Licence Contract (Exclusive Licence)",
        "Party A (Licensor): 福州大学",
        "Party B (Licensee): 宁德新能源科技有限公司",
        "Patent number: ZL202010123456.7",
        "Title: A lithium battery separator",
        "only the Licensee may practise the Patent; the Licensor itself may not",
        "the Licensee may not allow anyone not named in this contract",
        "Field of use: 动力电池",
        "Territory: 中国大陆",
        "Term: from 2025-01-01 to 2029-12-31",
        "The upfront fee is CNY 1,234,567.89.",
        "(1) CNY 234,567.89 on signing;",
        "(2) CNY 1,000,000.00 by 2025-06-30.",
        "(1) 中试完成: CNY 50,000.00",
        "running royalty of 5.00% of the net sales",
        "minimum annual royalty of CNY 100,000.00",
        "recordal",
        "until 2025-01-20T00:00:00Z",
        "技术资料于签约后30日内交付",
        "9. Signatures and entry into force",
    ]:
        assert expected in en, expected


def test_assignment_takes_effect_on_registration_and_has_no_licence_clauses() -> None:
    zh, en = render("assignment", assignment_terms(), notice_ends_at=None)
    assert zh.startswith("专利权转让合同\n")
    assert en.startswith("Patent Assignment Contract\n")
    assert "甲方（转让方）：福州大学" in zh
    assert "转让价款为 ¥3,000,000.00。" in zh
    assert "The assignment price is CNY 3,000,000.00." in en
    assert "上述款项于签约时一次总付。" in zh
    assert "专利权的转让自国务院专利行政部门登记之日起生效" in zh
    assert "著录项目变更" in zh
    assert "takes effect on the day it is registered" in en
    for absent in ["许可期限", "提成费", "公示", "备案", "其他约定"]:
        assert absent not in zh, absent
    assert "第六条 签署与生效" in zh  # parties, patent, assignment, price, registration, signatures


@pytest.mark.parametrize(
    ("kind", "title_zh", "meaning_en"),
    [
        ("sole_licence", "（排他实施许可）", "only the Licensee and the Licensor may practise"),
        ("non_exclusive_licence", "（普通实施许可）", "the Licensor may practise it and may license others too"),
        ("open_licence", "（开放许可）", "takes a non-exclusive licence"),
    ],
)
def test_each_licence_kind_is_named_and_explained(kind: str, title_zh: str, meaning_en: str) -> None:
    terms = licence_terms(kind="non_exclusive_licence" if kind == "open_licence" else kind)
    zh, en = render(kind, terms)
    assert zh.startswith("专利实施许可合同" + title_zh)
    assert meaning_en in en


def test_empty_field_and_territory_mean_all_fields_and_worldwide_and_sublicensing_is_stated() -> None:
    scope = {"field_of_use": "", "territory": "", "start": "2025-03-01", "end": "2026-02-28"}
    zh, en = render(terms=licence_terms(scope=scope, sublicensable=True))
    assert "实施领域：全部领域" in zh
    assert "地域范围：全世界" in zh
    assert "Field of use: all fields of use" in en
    assert "Territory: worldwide" in en
    assert "乙方有权在许可范围内向第三方授予分许可" in zh
    assert "the Licensee may grant sublicences" in en


def test_no_royalty_clause_without_royalty_and_no_notice_clause_without_a_notice() -> None:
    zh, en = render(terms=licence_terms(royalty_rate=0, minimum_annual_royalty=0), notice_ends_at=None)
    assert "提成费" not in zh
    assert "royalty" not in en
    assert "公示" not in zh
    assert "Public notice" not in en


def test_other_currencies_are_written_with_their_code() -> None:
    zh, en = render(terms=licence_terms(currency="USD", instalments=[]))
    assert "入门费为 USD 1,234,567.89。" in zh
    assert "The upfront fee is USD 1,234,567.89." in en


def test_rendering_is_deterministic_and_the_hash_is_stable() -> None:
    first, second = render(), render(terms=licence_terms())
    assert first == second
    assert text_sha256(*first) == text_sha256(*second)
    assert text_sha256(*first) == hashlib.sha256((first[0] + "\n\n" + first[1]).encode()).hexdigest()


def test_any_change_of_terms_changes_the_hash() -> None:
    signed = text_sha256(*render())
    assert text_sha256(*render(terms=licence_terms(price=123_456_788, instalments=[]))) != signed
    assert text_sha256(*render(terms=licence_terms(royalty_rate=501))) != signed
    assert text_sha256(*render(buyer_name="另一家公司")) != signed


def test_text_sha256_is_the_hex_digest_of_both_texts_joined_by_a_blank_line() -> None:
    assert text_sha256("a", "b") == "38022fd2b8dbc5cb3d2cee74e083edbf59e3d4e13d067ebcb5db633d4cff4d8c"
    assert text_sha256("甲", "A") == "f1ba53e819b0a7ae737635bfec43574672e2eae9441455fdea0e8ac429d80aa4"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        render("cross_licence")
    assert refused.value.field == "kind"
    assert refused.value.message.startswith("kind: ")


def test_a_licence_without_a_scope_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        render(terms=licence_terms(scope=None))
    assert refused.value.field == "terms.scope"
