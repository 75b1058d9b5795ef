"""The recogniser's crops from corrections: a real page has no layout labels, only its
contract label; the name lines found by aligning it are cut from the original page and carry
the label's name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from training.document.align import aligned_targets
from training.document.data import load_examples
from training.ocr.corrections import correction_crops


def as_real_pages(prepared: Path) -> list:
    """The prepared synthetic pages as a correction would arrive: label only, no layout."""
    return [replace(e, layout=None, targets=aligned_targets(e.reading, e.label))
            for e in load_examples(prepared)]


def test_name_crops_show_the_name_they_are_labelled_with(prepared: Path) -> None:
    from inference.evaluation import text_similarity
    from training.ocr.recognizer import Recognizer

    found = correction_crops(as_real_pages(prepared))
    assert len(found.crops) >= 20
    names = {b.name for e in load_examples(prepared) for b in e.label.timeblocks}
    assert all(c.text in names and c.image.shape[0] == 48 for c in found.crops)
    # Cut in the right place: the base recogniser reads the label (or a misreading of it,
    # on a handwriting font) off nearly every crop, and exactly off most.
    reads = [t.strip() for t, _ in Recognizer().predict([c.image for c in found.crops])]
    pairs = list(zip(reads, found.crops, strict=True))
    assert sum(text_similarity(t, c.text) >= 0.5 for t, c in pairs) >= 0.9 * len(pairs)
    assert sum(t == c.text for t, c in pairs) >= 0.7 * len(pairs)


def test_generated_pages_give_no_correction_crops(prepared: Path) -> None:
    assert correction_crops(load_examples(prepared)).crops == []
