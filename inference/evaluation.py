"""Scoring exactly as ../shared/CONTRACT.md defines it: greedy name matching per day, event
F1, time accuracy, strict F1 and header accuracy, per document and summed over a set."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from inference.schema import TimeBlock, TimetableData
from inference.timeparse import from_hhmm

_PUNCT = re.compile(r"[-–—/&,+()*.:;!?'\"]")
MATCH_THRESHOLD = 0.8
TIME_TOLERANCE_MIN = 5
HEADER_FIELDS = ("teacher", "class_name", "term", "year")


def normalise(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join(_PUNCT.sub(" ", text).split())


def text_similarity(a: str, b: str) -> float:
    """The `difflib.SequenceMatcher` ratio of two texts after the contract's normalisation."""
    return difflib.SequenceMatcher(None, normalise(a), normalise(b)).ratio()


def name_similarity(pred: TimeBlock, gold: TimeBlock) -> float:
    return max(text_similarity(pred.name, gold.name),
               text_similarity(f"{pred.name} {pred.notes or ''}",
                               f"{gold.name} {gold.notes or ''}"))


def _overlap(a: TimeBlock, b: TimeBlock) -> int:
    a0, a1, b0, b1 = (from_hhmm(v) for v in (a.start_time, a.end_time, b.start_time, b.end_time))
    if None in (a0, a1, b0, b1):
        return 0
    return max(0, min(a1, b1) - max(a0, b0))  # type: ignore[type-var, arg-type]


def times_right(pred: TimeBlock, gold: TimeBlock) -> bool:
    """Both start and end within 5 minutes (a missing time matches only a missing time)."""
    for p, g in ((pred.start_time, gold.start_time), (pred.end_time, gold.end_time)):
        pm, gm = from_hhmm(p), from_hhmm(g)
        if (pm is None) != (gm is None):
            return False
        if pm is not None and gm is not None and abs(pm - gm) > TIME_TOLERANCE_MIN:
            return False
    return True


def match_blocks(pred: list[TimeBlock], gold: list[TimeBlock]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching within each day, most similar first, ties broken by larger
    time overlap. Returns (pred index, gold index) pairs."""
    candidates = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if p.day != g.day:
                continue
            similarity = name_similarity(p, g)
            if similarity >= MATCH_THRESHOLD:
                candidates.append((-similarity, -_overlap(p, g), i, j))
    candidates.sort()
    used_p, used_g, pairs = set(), set(), []
    for _, _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


@dataclass
class Counts:
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    strict_matched: int = 0
    time_scored: int = 0
    time_right: int = 0
    header_total: int = 0
    header_right: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _f1(matched: int, predicted: int, gold: int) -> float:
    if predicted == 0 and gold == 0:
        return 1.0
    precision = matched / predicted if predicted else 0.0
    recall = matched / gold if gold else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Scores:
    counts: Counts = field(default_factory=Counts)

    @property
    def event_f1(self) -> float:
        c = self.counts
        return _f1(c.matched, c.predicted, c.gold)

    @property
    def strict_f1(self) -> float:
        c = self.counts
        return _f1(c.strict_matched, c.predicted, c.gold)

    @property
    def time_accuracy(self) -> float | None:
        c = self.counts
        return c.time_right / c.time_scored if c.time_scored else None

    @property
    def header_accuracy(self) -> float | None:
        c = self.counts
        return c.header_right / c.header_total if c.header_total else None

    def as_dict(self) -> dict:
        return {
            "strictF1": round(self.strict_f1, 4),
            "eventF1": round(self.event_f1, 4),
            "timeAccuracy": None if self.time_accuracy is None else round(self.time_accuracy, 4),
            "headerAccuracy": (
                None if self.header_accuracy is None else round(self.header_accuracy, 4)
            ),
            **{k: v for k, v in vars(self.counts).items()},
        }


@dataclass(frozen=True)
class BlockMatch:
    """A predicted block matched to a gold block, and how its times fare."""

    pred: int
    gold: int
    times_right: bool
    time_scored: bool

    @property
    def strictly_right(self) -> bool:
        """What strict F1 counts: matched, and the times right where the gold scores them."""
        return self.times_right or not self.time_scored


def block_matches(pred: TimetableData, gold: TimetableData) -> list[BlockMatch]:
    return [BlockMatch(i, j, times_right(pred.timeblocks[i], gold.timeblocks[j]),
                       gold.timeblocks[j].time_scored)
            for i, j in match_blocks(pred.timeblocks, gold.timeblocks)]


def blocks_right(pred: TimetableData, gold: TimetableData) -> list[bool]:
    """Per predicted block, in order: whether strict F1 counts it right (an unmatched block,
    an extra one, is wrong). The label a block's confidence is calibrated against."""
    right = [False] * len(pred.timeblocks)
    for match in block_matches(pred, gold):
        right[match.pred] = match.strictly_right
    return right


def score_document(pred: TimetableData, gold: TimetableData) -> Scores:
    counts = Counts(predicted=len(pred.timeblocks), gold=len(gold.timeblocks))
    for match in block_matches(pred, gold):
        counts.matched += 1
        if match.time_scored:
            counts.time_scored += 1
            counts.time_right += match.times_right
        counts.strict_matched += match.strictly_right
    for name in HEADER_FIELDS:
        gold_value = getattr(gold, name)
        if gold_value is None:
            continue
        counts.header_total += 1
        counts.header_right += normalise(str(getattr(pred, name))) == normalise(str(gold_value))
    return Scores(counts)


@dataclass
class SetScores:
    per_document: dict[str, Scores]

    @property
    def micro(self) -> Scores:
        total = Scores()
        for scores in self.per_document.values():
            total.counts.add(scores.counts)
        return total

    @property
    def mean_strict_f1(self) -> float:
        docs = list(self.per_document.values())
        return sum(s.strict_f1 for s in docs) / len(docs) if docs else 0.0

    def as_dict(self) -> dict:
        return {
            "documents": {k: v.as_dict() for k, v in self.per_document.items()},
            "micro": self.micro.as_dict(),
            "meanStrictF1": round(self.mean_strict_f1, 4),
        }


def score_set(pairs: dict[str, tuple[TimetableData, TimetableData]]) -> SetScores:
    """Score {document id: (prediction, gold)}."""
    return SetScores({doc: score_document(p, g) for doc, (p, g) in pairs.items()})


@dataclass(frozen=True)
class LabelledDocument:
    path: Path  # the document (image or PDF)
    gold: TimetableData


def labelled_documents(images: Path, labels: Path) -> list[LabelledDocument]:
    """The documents of `images` that have a gold label of the same stem in `labels`, by name:
    the one pairing every scoring of a labelled folder uses (`yogi eval`, the OCR gate, the
    document gate's real pages). A missing folder holds none."""
    if not images.is_dir() or not labels.is_dir():
        return []
    label_files = {p.stem: p for p in sorted(labels.glob("*.json"))}
    return [LabelledDocument(path, TimetableData.model_validate_json(
                label_files[path.stem].read_text()))
            for path in sorted(images.iterdir())
            # A label kept beside its page shares its stem but is never a document.
            if path.is_file() and path.suffix.lower() != ".json" and path.stem in label_files]
