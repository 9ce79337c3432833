"""One masking rule for personal numbers (core.masking), used by talent pages, exports and the SMS log."""

import logging

import pytest

from core.masking import mask, mask_id, mask_mobile
from notifications.channels import LoggingSMSBackend


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("11010519491231002X", "110***********002X"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_full_numbers_shows_first_three_and_last_four(value, masked):
    assert mask(value) == masked


@pytest.mark.parametrize("value", ["1", "12345", "1234567", "12345678", "1234567890"])
def test_mask_short_number_is_hidden_whole(value):
    # Fewer than four characters would stay hidden: show none of them.
    assert mask_mobile(value) == "*" * len(value)
    assert mask_id(value) == "*" * len(value)


def test_mask_shortest_number_with_four_hidden_is_shown_in_part():
    assert mask_mobile("12345678901") == "123****8901"


def test_mask_sms_log_never_shows_a_short_number_whole(caplog):
    with caplog.at_level(logging.INFO, logger="notifications"):
        LoggingSMSBackend().send(mobile="1234567", text="hello")
    assert "1234567" not in caplog.text
    assert "*******" in caplog.text
