"""The template filters write shares half-up and counts as integers, in the user's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from chibo.core.templatetags.chibo_tags import num, pct

pytestmark = pytest.mark.database_free


def test_pct_rounds_half_up_in_vietnamese_and_english() -> None:
    with translation.override("vi"):
        assert pct(100 / 7) == "14,29%"
        assert pct(1000 * 100 / 20637) == "4,85%"
    with translation.override("en"):
        assert pct(100 / 7) == "14.29%"


def test_num_writes_whole_numbers_without_decimals() -> None:
    with translation.override("vi"):
        assert num(12.0) == "12"
        assert num(1065) == "1.065"
        assert num(2.5) == "2,5"
        assert num(2.5, 2) == "2,50"
