"""Heading spaces: the words of a heading line the recogniser ran together, parted again.

A heading is one long line of small print ("Class: FSc Pre-Engineering XI-B   Session 2024-25
Incharge: Mr. Aslam Javed"), and the recogniser, which scales each line to 48 px high with
linear interpolation, reads such small print too soft to show the gaps between its words:
"Class:FScPre-EngineeringXI-BSession2024-25Incharge:Mr.AslamJaved". Heading fields are then
found in one run-together word, or not at all. The same line enlarged twice by bicubic
interpolation (or Lanczos, which keeps some gaps bicubic closes) keeps its gaps, but reads
some letters differently ("XI-B" as "Xl-B"), and on a whole page it reads cell text worse
than the page's own reading. So only the heading's long lines are read again, and only the
spaces of the second reading are kept: the first reading's letters, spaced where the second
one parts them (the enlargement that parts the most).
"""

from __future__ import annotations

from difflib import SequenceMatcher

import cv2
import numpy as np

from inference.schema import OcrLine

# A line is read again when it holds a run of this many characters with no space.
RUN_TOGETHER = 12
# The two readings must be this alike, spaces aside, for the second one's spaces to be taken.
SAME_TEXT = 0.8
_MARGIN = 2  # px around the line's box
# How the line is enlarged, each read, the reading that parts the most words kept: bicubic,
# and Lanczos, whose sharper edges keep the gaps of some small print that bicubic closes
# ("BScMathematicsYear2·Semester2" read again "BSc Mathematics Year 2·Semester 2").
ENLARGEMENTS = (cv2.INTER_CUBIC, cv2.INTER_LANCZOS4)


def _letters_and_gaps(text: str) -> tuple[str, set[int]]:
    """The text without spaces, and the positions in it that a space comes before."""
    letters, gaps = [], set()
    for ch in text:
        if ch.isspace():
            gaps.add(len(letters))
        else:
            letters.append(ch)
    return "".join(letters), gaps - {0, len(letters)}


def spaced_like(text: str, spaced: str) -> str | None:
    """`text` with the spaces it has and those `spaced` (another reading of the same line)
    puts between two characters both readings share; None when the readings differ more
    than in their spaces."""
    letters, gaps = _letters_and_gaps(text)
    other, other_gaps = _letters_and_gaps(spaced)
    matcher = SequenceMatcher(None, letters, other, autojunk=False)
    if matcher.ratio() < SAME_TEXT:
        return None
    for block in matcher.get_matching_blocks():
        gaps |= {block.a + k for k in range(1, block.size) if block.b + k in other_gaps}
    return "".join((" " if i in gaps else "") + ch for i, ch in enumerate(letters))


def _runs_together(text: str) -> bool:
    return max((len(word) for word in text.split()), default=0) >= RUN_TOGETHER


def respace_heading(image: np.ndarray, lines: list[OcrLine], heading: list[OcrLine],
                    engine) -> list[OcrLine]:
    """`lines` with each flat line of the `heading` that runs words together spaced by a
    second reading of it enlarged (`engine.read_crop`)."""
    out = []
    h, w = image.shape[:2]
    in_heading = {id(line) for line in heading}
    for line in lines:
        if id(line) not in in_heading or line.angle or not _runs_together(line.text):
            out.append(line)
            continue
        box = line.box
        crop = image[max(0, int(box.y0) - _MARGIN):min(h, int(box.y1) + _MARGIN),
                     max(0, int(box.x0) - _MARGIN):min(w, int(box.x1) + _MARGIN)]
        if not crop.size:
            out.append(line)
            continue
        readings = [spaced_like(line.text, engine.read_crop(cv2.resize(
            crop, None, fx=2, fy=2, interpolation=interpolation))[0])
            for interpolation in ENLARGEMENTS]
        spaced = [text for text in readings if text is not None]
        text = max(spaced, key=lambda text: text.count(" "), default=None)  # the most parted
        out.append(line if text is None else line.model_copy(update={"text": text}))
    return out
