"""统单: which submitted petitions report one problem, and why we think so.

Residents describe one problem in their own words (路灯不亮 / 路灯坏了好几天 / 晚上黑灯瞎火;
建渣 / 建筑垃圾), on the hotline or at a meeting with no location, in neighbouring categories (a
dark street under 路灯 or 供电). So one score per pair of petitions weighs several signals:

- words: the petitions' terms (jieba words, synonyms folded, see wording.py), each weighted by
  how rare it is among the petitions of the window, and, between petitions of one category,
  half among that category's (a word every petition of the week, or every 路灯 petition, uses
  says little); words of place count less (place has its own signal); compared as a weighted
  Dice coefficient;
- characters: Dice of the character bigrams (catches what segmentation splits differently;
  weighed 0 by the tuning: it rewards the place names two problems at one spot share);
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
(services/intake/tests/eval/, ``python -m scripts.eval_dupes.tune``) and are written down in
``SHIPPING`` below and in the README; ``make eval-dupes`` reports the held-out half.

``DuplicateIndex`` keeps the window's petitions and their scored pairs between calls, so a
call scores only what was filed since the last one.

Petitions become clusters by average linkage: the strongest pairs first, two groups join only
when their petitions score, on average over every cross pair, at least ``linkage`` x threshold
(a chain of one-off resemblances does not glue two problems together). Each petition sits in
at most one proposal.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
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
# A clerk works down a ranked list; the rest are counted, not sent.
DEFAULT_MAX_CLUSTERS = 200

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
    # Between petitions of one category, how much a term's rarity is judged within that
    # category (0: within the whole window; 1: within the category only). Within 路灯
    # petitions "路灯" says nothing; what is wrong with it (不亮 or 太亮) does.
    category_rarity: float
    # A pair whose text similarity (words and characters, blended as weighted) is below this
    # is scored 0 whatever its place and time: different problems at one spot.
    text_gate: float
    threshold: float
    linkage: float


# Chosen by a grid search on the tuning half, the best pairwise F1 with precision at least 0.9:
# there F1 0.887 (precision 0.927, recall 0.850); on the held-out half F1 0.705 (precision
# 0.811, recall 0.624), which `make eval-dupes` prints. See README "统单: finding duplicates".
SHIPPING = Weights(
    words=0.45,
    chars=0.0,
    place=0.1,
    time=0.1,
    community=0.05,
    category=0.1,
    unlocated_place=0.6,
    neighbour_category=0.5,
    place_half_m=150.0,
    time_half_h=72.0,
    place_words=0.2,
    category_rarity=0.5,
    text_gate=0.1,
    threshold=0.45,
    linkage=1.0,
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


def _cell(location: Location, size_deg: float) -> tuple[int, int]:
    return (int(location.latitude // size_deg), int(location.longitude // size_deg))


class DuplicateIndex:
    """The window's petitions and their scored pairs, kept from one ProposeClusters to the
    next: a call only scores the petitions filed since the last one (and forgets those that
    left the window or were merged), so its cost follows what changed, not the square of the
    window.

    Pairs worth scoring: related categories, sharing enough weighted terms to pass the text
    gate, and either of one community or both located within ``max_distance_m`` (across a
    community boundary too; located pairs further apart are never compared). They are found
    through indexes of terms per community and per cell about ``max_distance_m`` wide.

    Term weights are the inverse document frequencies of the petitions present when the index
    was (re)built; once the petitions have changed by a quarter, it is rebuilt with fresh
    weights.
    """

    REBUILD_AFTER = 0.25
    # Pairs scoring at least this are kept apart too: any threshold the office is likely to
    # ask for starts from them instead of every pair scored.
    LIKELY = 0.3

    def __init__(
        self, max_distance_m: float = DEFAULT_MAX_DISTANCE_M, weights: Weights = SHIPPING
    ) -> None:
        self.max_distance_m = max_distance_m
        self.weights = weights
        self._cell_deg = max(max_distance_m, 1.0) / 111_000
        w = weights
        # Characters count at most 1: below this share of words no pair passes the gate.
        min_words = max(0.0, (w.text_gate * (w.words + w.chars) - w.chars) / (w.words or 1))
        # Judged by category, a pair's words may weigh more than by the window: leave room.
        self._prefilter = min_words * (0.99 if not w.category_rarity else 0.5)
        self._reset(0)

    def _reset(self, population: int) -> None:
        self._petitions: dict[str, Candidate] = {}
        self._totals: dict[str, float] = {}
        self._term_weight: dict[str, float] = {}
        self._category_weight: dict[str, dict[str, float]] = {}
        self._unseen_weight = math.log(1 + max(population, 1))
        self._by_community: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._by_cell: dict[tuple[int, int], dict[str, set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        self._pairs: dict[str, dict[str, PairScore]] = defaultdict(dict)
        self._likely: dict[tuple[str, str], PairScore] = {}
        self._population = population
        self._changes = 0

    def __len__(self) -> int:
        return len(self._petitions)

    def update(self, candidates: Iterable[Candidate]) -> None:
        """Make the index hold exactly these petitions."""
        given = list(candidates)
        self.sync({c.petition_id: c.case_id for c in given}, given)

    def missing(self, present: Iterable[str]) -> list[str]:
        """Which of these petitions the index does not hold yet."""
        return [pid for pid in present if pid not in self._petitions]

    def sync(self, present: Mapping[str, str], new: Iterable[Candidate]) -> None:
        """Make the index hold exactly the petitions of ``present`` (id -> its case now):
        ``new`` brings those it does not hold yet; the others it forgets."""
        gone = [pid for pid in self._petitions if pid not in present]
        fresh = [
            c for c in new if c.petition_id in present and c.petition_id not in self._petitions
        ]
        for pid, case_id in present.items():
            known = self._petitions.get(pid)
            if known is not None and known.case_id != case_id:  # merged for review
                self._petitions[pid] = replace(known, case_id=case_id)
        self._changes += len(gone) + len(fresh)
        if not self._petitions or self._changes > self.REBUILD_AFTER * self._population:
            everyone = [c for pid, c in self._petitions.items() if pid in present] + fresh
            self._reset(len(everyone))
            self._term_weight = term_weights((c.text for c in everyone), self.weights.place_words)
            if self.weights.category_rarity:
                self._category_weight = self._blend_by_category(everyone)
            fresh = everyone
        else:
            for pid in gone:
                self._remove(pid)
        for candidate in fresh:
            self._add(candidate)

    def pairs(self) -> list[PairScore]:
        """Every scored pair, once."""
        return [
            pair
            for pid, others in self._pairs.items()
            for other, pair in others.items()
            if pid < other
        ]

    def propose(self, threshold: float, limit: int | None = None) -> tuple[list[Proposal], int]:
        """The best ranked ``limit`` proposals (all by default), and how many there are."""
        strong = [pair for pair in self._likely.values() if pair.score >= threshold]
        if threshold < self.LIKELY:
            strong = [pair for pair in self.pairs() if pair.score >= threshold]
        return cluster(self._petitions, strong, threshold, self.weights.linkage, self._pairs, limit)

    def sync_and_propose(
        self,
        present: Mapping[str, str],
        new: Iterable[Candidate],
        threshold: float,
        limit: int | None = None,
    ) -> tuple[list[Proposal], int]:
        """``sync``, then ``propose``."""
        self.sync(present, new)
        return self.propose(threshold, limit)

    def _blend_by_category(self, everyone: list[Candidate]) -> dict[str, dict[str, float]]:
        share = self.weights.category_rarity
        texts: dict[str, list[PetitionText]] = defaultdict(list)
        for c in everyone:
            texts[c.category_code].append(c.text)
        blended: dict[str, dict[str, float]] = {}
        for category, members in texts.items():
            within = term_weights(members, self.weights.place_words)
            blended[category] = {
                term: (1 - share) * self._term_weight[term] + share * weight
                for term, weight in within.items()
            }
        return blended

    def _weight(self, term: str) -> float:
        weight = self._term_weight.get(term)
        if weight is None:
            factor = self.weights.place_words if is_place_word(term) else 1.0
            weight = self._term_weight[term] = self._unseen_weight * factor
        return weight

    def _add(self, new: Candidate) -> None:
        pid = new.petition_id
        terms = new.text.terms
        total = sum(self._weight(t) for t in terms)
        shared: dict[str, float] = defaultdict(float)
        same_community = self._by_community[new.community_code]
        for term in terms:
            for known in same_community.get(term, ()):
                shared[known] += self._term_weight[term]
        cell = _cell(new.location, self._cell_deg) if new.location else None
        if cell is not None:
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    postings = self._by_cell.get((cell[0] + dx, cell[1] + dy))
                    if not postings:
                        continue
                    for term in terms:
                        for known in postings.get(term, ()):
                            if self._petitions[known].community_code != new.community_code:
                                shared[known] += self._term_weight[term]
        for other_id, amount in shared.items():
            if 2 * amount < self._prefilter * (total + self._totals[other_id]):
                continue
            other = self._petitions[other_id]
            if not related_categories(new.category_code, other.category_code):
                continue
            if (
                new.location
                and other.location
                and distance_m(new.location, other.location) > self.max_distance_m
            ):
                continue
            first, second = (new, other) if pid < other_id else (other, new)
            weight = self._term_weight
            if new.category_code == other.category_code and self._category_weight:
                weight = self._category_weight.get(new.category_code) or weight
            pair = score_pair(first, second, weight, self.weights)
            self._pairs[pid][other_id] = self._pairs[other_id][pid] = pair
            if pair.score >= self.LIKELY:
                self._likely[(pair.petition_a, pair.petition_b)] = pair
        self._petitions[pid] = new
        self._totals[pid] = total
        for term in terms:
            same_community[term].add(pid)
            if cell is not None:
                self._by_cell[cell][term].add(pid)

    def _remove(self, pid: str) -> None:
        gone = self._petitions.pop(pid)
        self._totals.pop(pid, None)
        cell = _cell(gone.location, self._cell_deg) if gone.location else None
        for term in gone.text.terms:
            self._by_community[gone.community_code][term].discard(pid)
            if cell is not None:
                self._by_cell[cell][term].discard(pid)
        for other in self._pairs.pop(pid, {}):
            self._pairs[other].pop(pid, None)
            self._likely.pop((pid, other) if pid < other else (other, pid), None)


def score_pairs(
    candidates: Sequence[Candidate], max_distance_m: float, w: Weights = SHIPPING
) -> list[PairScore]:
    """Every pair of these petitions worth scoring (see ``DuplicateIndex``), scored."""
    index = DuplicateIndex(max_distance_m, w)
    index.update(candidates)
    return index.pairs()


def propose(
    candidates: Sequence[Candidate],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    weights: Weights = SHIPPING,
) -> list[Proposal]:
    """Clusters of petitions that report one problem, most worth a clerk's time first (by the
    sum of their link scores: many petitions, surely alike), each petition in at most one."""
    index = DuplicateIndex(max_distance_m, weights)
    index.update(candidates)
    return index.propose(threshold)[0]


Adjacency = Mapping[str, Mapping[str, PairScore]]


def cluster(
    candidates: Mapping[str, Candidate] | Sequence[Candidate],
    scored: Iterable[PairScore],
    threshold: float,
    linkage: float,
    adjacency: Adjacency | None = None,
    limit: int | None = None,
) -> tuple[list[Proposal], int]:
    """Average linkage over the pairs at or above ``threshold``; ``adjacency`` holds every
    scored pair by both its petitions (a pair not in it scores 0), by default built from
    ``scored``. The best ranked ``limit`` proposals (all by default), and how many there are."""
    by_id = (
        candidates if isinstance(candidates, Mapping) else {c.petition_id: c for c in candidates}
    )
    strong: list[PairScore] = []
    built: dict[str, dict[str, PairScore]] = defaultdict(dict)
    for pair in scored:
        if adjacency is None:
            built[pair.petition_a][pair.petition_b] = built[pair.petition_b][pair.petition_a] = pair
        if pair.score >= threshold:
            strong.append(pair)
    neighbours: Adjacency = built if adjacency is None else adjacency
    nobody: dict[str, PairScore] = {}

    def score(a: str, b: str) -> float:
        pair = neighbours.get(a, nobody).get(b)
        return pair.score if pair else 0.0

    def cross(left: list[str], right: list[str]) -> float:
        total = 0.0
        for x in left:
            known = neighbours.get(x, nobody)
            for y in right:
                pair = known.get(y)
                if pair is not None:
                    total += pair.score
        return total

    strong.sort(key=lambda p: (-p.score, p.petition_a, p.petition_b))
    group_of: dict[str, list[str]] = {}
    for pair in strong:
        left = group_of.get(pair.petition_a, [pair.petition_a])
        right = group_of.get(pair.petition_b, [pair.petition_b])
        if left is right:
            continue
        if cross(left, right) / (len(left) * len(right)) < linkage * threshold:
            continue
        merged = left + right
        for member in merged:
            group_of[member] = merged
    links_of: dict[int, list[PairScore]] = defaultdict(list)
    for pair in strong:  # strongest first
        group = group_of.get(pair.petition_a)
        if group is not None and group is group_of.get(pair.petition_b):
            links_of[id(group)].append(pair)
    ranked = sorted(
        links_of.items(), key=lambda item: (-sum(p.score for p in item[1]), item[1][0].petition_a)
    )
    proposals: list[Proposal] = []
    for rank, (_group, links) in enumerate(ranked[:limit], start=1):
        members = group_of[links[0].petition_a]
        ordered = sorted(members, key=lambda m: (by_id[m].submitted_at, m))
        scores = [score(x, y) for x, y in combinations(ordered, 2)]
        categories: dict[str, int] = {}
        for m in ordered:
            categories[by_id[m].category_code] = categories.get(by_id[m].category_code, 0) + 1
        proposals.append(
            Proposal(
                rank=rank,
                petition_ids=tuple(ordered),
                case_ids=tuple(sorted({by_id[m].case_id for m in ordered})),
                category_code=max(categories, key=lambda c: (categories[c], c)),
                score=round(sum(scores) / len(scores), 4),
                min_score=links[-1].score,
                links=tuple(links),
            )
        )
    return proposals, len(ranked)
