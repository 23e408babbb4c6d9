"""Rupiah amounts as offices type them: one parser (ucj.amounts) for every money field, worked examples."""

from __future__ import annotations

import pytest

from ucj.amounts import AmountError, format_rupiah, parse_rupiah, terbilang


@pytest.mark.parametrize(("typed", "rupiah"), [
    ("1500000", 1_500_000),
    ("1.500.000", 1_500_000),  # Indonesian thousands
    ("Rp 1.500.000", 1_500_000),
    ("Rp1.500.000", 1_500_000),
    ("Rp. 1.500.000,-", 1_500_000),  # the form on kwitansi and SP2D
    ("Rp 1.500.000,00", 1_500_000),
    ("IDR 1.500.000", 1_500_000),
    ("1 500 000", 1_500_000),
    ("1\u00a0500\u00a0000", 1_500_000),  # a no-break space copied from a spreadsheet
    ("1,500,000", 1_500_000),  # an English keyboard's thousands (three groups: never a decimal)
    ("1,5 juta", 1_500_000),  # 1.5 × 1.000.000
    ("1,5juta", 1_500_000),
    ("1.5 juta", 1_500_000),  # a decimal point before a scale word cannot be thousands
    ("1,25 jt", 1_250_000),
    ("750 ribu", 750_000),
    ("750rb", 750_000),
    ("20 miliar", 20_000_000_000),
    ("20 M", 20_000_000_000),
    ("2,5 milyar", 2_500_000_000),
    ("1 triliun", 1_000_000_000_000),
    ("1.500 juta", 1_500_000_000),  # 1.500 × 1.000.000
    ("0", 0),
    (16800, 16_800),
    ("", None),
    ("   ", None),
    (None, None),
])  # fmt: skip
def test_indonesian_number_forms(typed: object, rupiah: int | None) -> None:
    assert parse_rupiah(typed) == rupiah


@pytest.mark.parametrize("typed", [
    "1,5",  # 1,5 rupiah: not whole
    "Rp 1.500,50",  # fifty sen
    "1,500",  # Indonesian 1,5 — refused, never read as 1.500
    "1.5",  # English decimal without a scale word
    "15.00",  # not thousands groups
    "1.50.000",
    "abc", "12a", "1,5 lusin", "-5", "Rp -1.000", "1..000", True,
    -3,
])  # fmt: skip
def test_what_is_not_an_amount_is_refused_in_both_languages(typed: object) -> None:
    with pytest.raises(AmountError) as err:
        parse_rupiah(typed)
    assert " / " in str(err.value)  # Indonesian / English (forms show one half)


def test_format() -> None:
    assert format_rupiah(1_500_000) == "1.500.000" and format_rupiah(0) == "0"


@pytest.mark.parametrize(("amount", "words"), [
    (0, "nol"), (7, "tujuh"), (11, "sebelas"), (15, "lima belas"), (20, "dua puluh"), (99, "sembilan puluh sembilan"),
    (100, "seratus"), (115, "seratus lima belas"), (999, "sembilan ratus sembilan puluh sembilan"),
    (1_000, "seribu"), (1_100, "seribu seratus"), (16_800, "enam belas ribu delapan ratus"),
    (1_500_000, "satu juta lima ratus ribu"), (201_600, "dua ratus satu ribu enam ratus"),
    (20_000_000_000, "dua puluh miliar"), (1_000_001, "satu juta satu"),
    (2_000_000_000_000, "dua triliun"),
])  # fmt: skip
def test_terbilang(amount: int, words: str) -> None:
    assert terbilang(amount) == words
