"""统单: which submitted petitions report one problem, and why we think so.

Residents describe one problem in their own words (路灯不亮 / 路灯坏了好几天 / 晚上黑灯瞎火;
建渣 / 建筑垃圾), on the hotline or at a meeting with no location, in neighbouring categories (a
dark street under 路灯 or 供电). So one score per pair of petitions weighs several signals:

- words: the petitions' terms (jieba words, synonyms folded, see wording.py), each weighted by
  how rare it is among the petitions of the window (a word every petition of the week uses
  says little), compared as a weighted Dice coefficient;
- characters: Dice of the character bigrams (catches what segmentation splits differently);
- place: both located, a score that halves every ``place_half_m`` metres (no hard cut); one
  or both without location (hotline, meeting), a fixed ``unlocated_place`` credit when they are
  of the same community, else nothing;
- time: halves every ``time_half_h`` hours apart;
- community: the same community or not;
- category: the same (1), neighbouring (``neighbour_category``; see vocabulary.py) or else not
  compared at all.

score = text gate x (weighted mean of the signals), where the text gate keeps a pair whose
words have nothing in common from being carried by place and time alone: two different
problems at one spot (a dark lamp and a bent lamp post at 3栋) share place, time, community and
category, so only the words can tell them apart.

The weights and the threshold were chosen on the tuning half of the evaluation corpus
(services/intake/tests/eval/, ``make eval-dupes``) and are written down in ``SHIPPING`` below
and in the README; the held-out half was not used to choose them.

Petitions become clusters by average linkage: the strongest pairs first, two groups join only
when their petitions score, on average over every cross pair, at least ``linkage`` x threshold
(a chain of one-off resemblances does not glue two problems together). Each petition sits in
at most one proposal.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import combinations

from civicloop.intake.domain.model import Location
from civicloop.intake.domain.vocabulary import NEIGHBOUR_CATEGORIES
from civicloop.intake.domain.wording import PetitionText, is_place_word

DEFAULT_WINDOW_HOURS = 168
# Petitions with locations further apart than this are not compared at all (the place signal
# has long decayed by then); it bounds the work, the decay does the judging.
DEFAULT_MAX_DISTANCE_M = 1000.0

_EARTH_RADIUS_M = 6_371_008.8
_NEIGHBOURS: frozenset[tuple[str, str]] = frozenset(
    {*NEIGHBOUR_CATEGORIES, *((b, a) for a, b in NEIGHBOUR_CATEGORIES)}
)


@dataclass(frozen=True)
class Weights:
    """How much each signal counts, the decays, and where a pair becomes a duplicate."""

    words: float
    chars: float
    place: float
    time: float
    community: float
    category: float
    # The place signal of a pair without two locations but of one community.
    unlocated_place: float
    # Category signal of neighbouring categories (the same category is 1).
    neighbour_category: float
    place_half_m: float
    time_half_h: float
    # How much a word of place (翔凤桥, 3栋, 路口) counts against a word of the problem.
    place_words: float
    # A pair whose text similarity (words and characters, blended as weighted) is below this
    # is scored 0 whatever its place and time: different problems at one spot.
    text_gate: float
    threshold: float
    linkage: float


# Chosen on the tuning half (make eval-dupes prints the held-out figures of this one):
# see README "统单: finding duplicates".
SHIPPING = Weights(
    words=0.45,
    chars=0.0,
    place=0.1,
    time=0.1,
    community=0.1,
    category=0.1,
    unlocated_place=0.6,
    neighbour_category=0.5,
    place_half_m=150.0,
    time_half_h=72.0,
    place_words=0.2,
    text_gate=0.1,
    threshold=0.5,
    linkage=0.8,
)
DEFAULT_THRESHOLD = SHIPPING.threshold


@dataclass(frozen=True)
class Candidate:
    """A submitted petition that may be a duplicate, with its text's features."""

    petition_id: str
    case_id: str
    community_code: str
    category_code: str
    location: Location | None
    submitted_at: datetime
    text: PetitionText


@dataclass(frozen=True)
class PairScore:
    """Why two petitions are thought to report one problem."""

    petition_a: str
    petition_b: str
    score: float
    words: float
    chars: float
    distance_m: float | None
    hours_apart: float
    same_community: bool
    same_category: bool
    shared_words: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    """A proposed cluster: its petitions (earliest first), their cases, its score (the mean of
    its petitions' pair scores) and the links that joined it, strongest first."""

    rank: int
    petition_ids: tuple[str, ...]
    case_ids: tuple[str, ...]
    category_code: str
    score: float
    min_score: float
    links: tuple[PairScore, ...] = field(default=())


def distance_m(a: Location, b: Location) -> float:
    """Great-circle distance (haversine) in metres."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def decay(amount: float, half: float) -> float:
    """1 at 0, 0.5 at ``half``, a quarter at twice ``half``..."""
    return math.exp(-math.log(2) * max(amount, 0.0) / half)


def related_categories(a: str, b: str) -> bool:
    return a == b or (a, b) in _NEIGHBOURS


def term_weights(texts: Iterable[PetitionText], place_word_weight: float = 1.0) -> dict[str, float]:
    """Inverse document frequency of each term among the petitions compared together; words
    of place count ``place_word_weight`` as much (place has a signal of its own)."""
    frequency: Counter[str] = Counter()
    count = 0
    for text in texts:
        frequency.update(text.terms)
        count += 1
    return {
        term: math.log(1 + count / df) * (place_word_weight if is_place_word(term) else 1.0)
        for term, df in frequency.items()
    }


def weighted_dice(a: frozenset[str], b: frozenset[str], weight: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    shared = sum(weight.get(t, 1.0) for t in a & b)
    total = sum(weight.get(t, 1.0) for t in a) + sum(weight.get(t, 1.0) for t in b)
    return 2 * shared / total


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def score_pair(
    a: Candidate, b: Candidate, weight: dict[str, float], w: Weights = SHIPPING
) -> PairScore:
    """The one score of a pair, from its signals, with the reasons a clerk reads."""
    metres = distance_m(a.location, b.location) if a.location and b.location else None
    shared = sorted(a.text.terms & b.text.terms, key=lambda t: (-weight.get(t, 1.0), t))
    signals = PairScore(
        petition_a=a.petition_id,
        petition_b=b.petition_id,
        score=0.0,
        words=round(weighted_dice(a.text.terms, b.text.terms, weight), 4),
        chars=round(dice(a.text.grams, b.text.grams), 4),
        distance_m=round(metres, 1) if metres is not None else None,
        hours_apart=round(abs((a.submitted_at - b.submitted_at).total_seconds()) / 3600, 2),
        same_community=a.community_code == b.community_code,
        same_category=a.category_code == b.category_code,
        shared_words=tuple(shared[:6]),
    )
    return replace(signals, score=combined(signals, w))


def combined(pair: PairScore, w: Weights) -> float:
    """The weighted mean of a pair's signals, 0 when its text is below the gate."""
    text = (w.words * pair.words + w.chars * pair.chars) / ((w.words + w.chars) or 1.0)
    if text < w.text_gate:
        return 0.0
    if pair.distance_m is not None:
        place = decay(pair.distance_m, w.place_half_m)
    else:
        place = w.unlocated_place if pair.same_community else 0.0
    category = 1.0 if pair.same_category else w.neighbour_category
    total = w.words + w.chars + w.place + w.time + w.community + w.category
    score = (
        w.words * pair.words
        + w.chars * pair.chars
        + w.place * place
        + w.time * decay(pair.hours_apart, w.time_half_h)
        + w.community * pair.same_community
        + w.category * category
    ) / total
    return round(score, 4)


def candidate_pairs(
    candidates: Sequence[Candidate], max_distance_m: float
) -> Iterator[tuple[int, int]]:
    """Pairs worth scoring, each once: related categories and either the same community or
    both located within ``max_distance_m`` (across a community boundary too). Located pairs
    further apart than that are never compared."""
    seen: set[tuple[int, int]] = set()
    by_community: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        by_community[c.community_code].append(i)
    # Located petitions also meet across communities, through cells about max_distance wide.
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    cell_deg = max(max_distance_m, 1.0) / 111_000
    for i, c in enumerate(candidates):
        if c.location:
            cells[_cell(c.location, cell_deg)].append(i)

    def worth(i: int, j: int) -> bool:
        a, b = candidates[i], candidates[j]
        if not related_categories(a.category_code, b.category_code):
            return False
        if a.location and b.location:
            return distance_m(a.location, b.location) <= max_distance_m
        return True

    for members in by_community.values():
        for i, j in combinations(members, 2):
            if worth(i, j):
                seen.add((i, j))
                yield i, j
    for (x, y), members in cells.items():
        near = [
            k for dx in (-1, 0, 1) for dy in (-1, 0, 1) for k in cells.get((x + dx, y + dy), ())
        ]
        for i in members:
            for j in near:
                pair = (i, j) if i < j else (j, i)
                if i == j or pair in seen:
                    continue
                if candidates[i].community_code == candidates[j].community_code:
                    continue  # compared above
                seen.add(pair)
                if worth(*pair):
                    yield pair


def _cell(location: Location, size_deg: float) -> tuple[int, int]:
    return (int(location.latitude // size_deg), int(location.longitude // size_deg))


def score_pairs(
    candidates: Sequence[Candidate], max_distance_m: float, w: Weights = SHIPPING
) -> list[PairScore]:
    """Every candidate pair scored (the evaluation reads them all)."""
    weight = term_weights((c.text for c in candidates), w.place_words)
    return [
        score_pair(candidates[i], candidates[j], weight, w)
        for i, j in candidate_pairs(candidates, max_distance_m)
    ]


def propose(
    candidates: Sequence[Candidate],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    weights: Weights = SHIPPING,
) -> list[Proposal]:
    """Clusters of petitions that report one problem, most worth a clerk's time first (by the
    sum of their link scores: many petitions, surely alike), each petition in at most one."""
    scored = score_pairs(candidates, max_distance_m, weights)
    return cluster(candidates, scored, threshold, weights.linkage)


def cluster(
    candidates: Sequence[Candidate],
    scored: Iterable[PairScore],
    threshold: float,
    linkage: float,
) -> list[Proposal]:
    by_id = {c.petition_id: c for c in candidates}
    score_of: dict[frozenset[str], PairScore] = {}
    strong: list[PairScore] = []
    for pair in scored:
        score_of[frozenset((pair.petition_a, pair.petition_b))] = pair
        if pair.score >= threshold:
            strong.append(pair)
    strong.sort(key=lambda p: (-p.score, p.petition_a, p.petition_b))
    group_of: dict[str, list[str]] = {}
    for pair in strong:
        left = group_of.get(pair.petition_a, [pair.petition_a])
        right = group_of.get(pair.petition_b, [pair.petition_b])
        if left is right:
            continue
        cross = [
            score_of[key].score if (key := frozenset((x, y))) in score_of else 0.0
            for x in left
            for y in right
        ]
        if sum(cross) / len(cross) < linkage * threshold:
            continue
        merged = left + right
        for member in merged:
            group_of[member] = merged
    groups = {id(g): g for g in group_of.values()}.values()
    proposals: list[tuple[float, Proposal]] = []
    for members in groups:
        ordered = sorted(members, key=lambda m: (by_id[m].submitted_at, m))
        pairs = [
            score_of[key]
            for x, y in combinations(ordered, 2)
            if (key := frozenset((x, y))) in score_of
        ]
        scores = [
            score_of[frozenset(p)].score if frozenset(p) in score_of else 0.0
            for p in combinations(ordered, 2)
        ]
        links = sorted((p for p in pairs if p.score >= threshold), key=lambda p: -p.score)
        categories = Counter(by_id[m].category_code for m in ordered)
        proposal = Proposal(
            rank=0,
            petition_ids=tuple(ordered),
            case_ids=tuple(sorted({by_id[m].case_id for m in ordered})),
            category_code=categories.most_common(1)[0][0],
            score=round(sum(scores) / len(scores), 4),
            min_score=round(min(p.score for p in links), 4),
            links=tuple(links),
        )
        proposals.append((sum(p.score for p in links), proposal))
    proposals.sort(key=lambda item: (-item[0], item[1].petition_ids))
    return [
        Proposal(
            rank=rank,
            petition_ids=p.petition_ids,
            case_ids=p.case_ids,
            category_code=p.category_code,
            score=p.score,
            min_score=p.min_score,
            links=p.links,
        )
        for rank, (_, p) in enumerate(proposals, start=1)
    ]
