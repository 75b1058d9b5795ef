"""Day-axis repair (`inference.dayaxis`): a garbled day name put back from its place in the
week's sequence of headers, and nothing else touched."""

from inference.dayaxis import repair_day_axes
from inference.schema import Box, OcrLine


def _column(texts: list[str], x: float = 40, step: float = 96) -> list[OcrLine]:
    """Lines stacked down one column, `step` px apart."""
    return [OcrLine(text=text, box=Box(x0=x, y0=150 + step * i, x1=x + 40, y1=170 + step * i))
            for i, text in enumerate(texts)]


def _texts(lines: list[OcrLine]) -> list[str]:
    return [line.text for line in repair_day_axes(lines)]


def test_the_day_after_a_sequence_misread_is_put_back():
    # 11 px "Friday" on a tinted header column, read "Feldey".
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Feldey"]
    assert _texts(_column(days))[-1] == "Friday"
    assert _texts(_column([d.upper() for d in days]))[-1] == "FRIDAY"


def test_the_day_before_a_sequence_and_a_row_of_days_too():
    assert _texts(_column(["Mcnlay", "Tuesday", "Wednesday", "Thursday"]))[0] == "Monday"
    row = [OcrLine(text=text, box=Box(x0=200 * i, y0=10, x1=200 * i + 80, y1=30))
           for i, text in enumerate(["Mon", "Tue", "Wed", "Thu", "Fcl"])]
    assert _texts(row)[-1] == "Friday"


def test_a_line_off_the_step_of_another_letter_or_past_friday_is_left_as_read():
    days = ["Monday", "Tuesday", "Wednesday", "Thursday"]
    assert _texts(_column([*days, "Sports"])) == [*days, "Sports"]  # not an F
    lines = _column([*days, "Feldey"])
    lines[-1] = lines[-1].model_copy(update={"box": Box(x0=40, y0=600, x1=80, y1=620)})
    assert _texts(lines)[-1] == "Feldey"  # half a step further down
    week = ["Tuesday", "Wednesday", "Thursday", "Friday", "Sunny"]
    assert _texts(_column(week))[-1] == "Sunny"  # past Friday: no Saturday is guessed
    assert _texts(_column(days[:2] + ["Feldey"])) == days[:2] + ["Feldey"]  # two: no sequence
