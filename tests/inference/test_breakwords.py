"""Break words (`inference.breakwords`): what names a break, as a band or column prints it."""

import pytest

from inference.breakwords import is_break_name


@pytest.mark.parametrize(("text", "names_a_break"), [
    ("LUNCH", True), ("Morning Tea", True), ("SHORT BREAK", True),
    ("ＬＵＮＣＨ", True),  # a turned word read in width forms
    ("Tela", True),  # a letter more: "Tea" on a whiteboard
    ("Lunch Duty", False), ("HONOT", False), ("Assembly", False), ("", False)])
def test_a_break_is_named_by_break_words_and_their_qualifiers(text, names_a_break):
    assert is_break_name(text) is names_a_break
