"""Amounts typed into forms: what a person writes is read as they meant it, anything else is refused."""

from __future__ import annotations

import pytest

from domain.shared.errors import ValidationError
from web.forms import yuan_to_fen


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("500000", 50_000_000),
        ("12.50", 1_250),
        ("1,000.5", 100_050),
        (" ¥55,000.00 ", 5_500_000),
        ("￥55000", 5_500_000),
        ("５００", 50_000),  # full-width digits, as a Chinese input method types them
        ("１２，０００．５", 1_200_050),
    ],
)
def test_amounts_as_people_type_them_are_read_in_fen(typed: str, fen: int) -> None:
    assert yuan_to_fen(typed, "price") == fen


@pytest.mark.parametrize("typed", ["1e5", "1E5", "1_000", "١٢٣", "nan", "Infinity", "0x10", "5 000", "12..5", "."])
def test_numbers_python_reads_but_people_do_not_write_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        yuan_to_fen(typed, "price")
    assert refused.value.code == "amount.yuan"
    assert refused.value.field == "price"


def test_the_other_refusals_keep_their_reasons() -> None:
    for typed, code in [("-5", "amount.negative"), ("12.345", "amount.decimals"), ("9" * 30, "amount.too_large")]:
        with pytest.raises(ValidationError) as refused:
            yuan_to_fen(typed, "price")
        assert refused.value.code == code


def test_an_empty_field_is_no_amount() -> None:
    assert yuan_to_fen("  ", "price") is None
    assert yuan_to_fen(None, "price") is None
