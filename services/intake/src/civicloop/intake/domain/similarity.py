"""统单: which submitted petitions report one problem, and why we think so.

Residents describe one problem in their own words (路灯不亮 / 路灯坏了好几天 / 晚上黑灯瞎火;
建渣 / 建筑垃圾), on the hotline or at a meeting with no location, in neighbouring categories (a
dark street under 路灯 or 供电). So one score per pair of petitions weighs several signals:

- words: the petitions' terms (jieba words, synonyms folded, see wording.py), each weighted by
  how rare it is among the petitions of the window (a word every petition of the week uses
  says little) and, between petitions of one category, by ``category_rarity`` among that
  category's (0 as shipped: the folds did not favour it); words of place count less (place
  has its own signal); compared as a weighted Dice coefficient;
- sounds (the ``chars`` weight): the weighted Dice of pairs of syllables of the words that
  say what is wrong (wording.sound_bigrams: tones dropped, words of place left out), each
  weighted by its rarity in the window like the terms: a fallback for words no dictionary
  knows, and it hears a homophone typo (路等 for 路灯) as its word;
- states: what is wrong, apart from with what (vocabulary.STATE_KINDS: dark, on all day,
  leaking, cut off...); a pair whose states share little (a lamp dark and a lamp on all day,
  a leak and a dry tap) loses ``state_conflict`` x that share of its score: one object in two
  states is two problems;
- place: both located, a score that halves every ``place_half_m`` metres (no hard cut); one
  or both without location (hotline, meeting), a fixed ``unlocated_place`` credit when they are
  of the same community, else nothing;
- time: halves every ``time_half_h`` hours apart;
- community: the same community or not;
- category: the same (1), neighbouring (``neighbour_category``; see vocabulary.py) or else not
  compared at all.

score = text gate x (weighted mean of the signals) x (1 - state_conflict x state clash),
where the text gate keeps a pair whose words have nothing in common from being carried by
place and time alone: two different problems at one spot (a dark lamp and a bent lamp post
at 3栋) share place, time, community and category, so only the words can tell them apart.

The weights and the threshold were chosen by 5-fold cross-validation over both halves of the
evaluation corpus, folds by cluster (services/intake/tests/eval/, ``python -m
scripts.eval_dupes.tune --cv 5``), and are written down in ``SHIPPING`` below and in the
README; ``make eval-dupes`` reports either half.

``DuplicateIndex`` keeps the window's petitions and their scored pairs between calls, so a
call scores only what was filed since the last one.

Petitions become clusters by average linkage: the strongest pairs first, two groups join only
when their petitions score, on average over every cross pair, at least ``linkage`` x threshold
(a chain of one-off resemblances does not glue two problems together). Each petition sits in
at most one proposal.
"""

from __future__ import annotations

import math
from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import combinations, takewhile
from operator import attrgetter

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
    # How much a pair loses when its problems' states differ (a lamp dark and a lamp on all
    # day, a leak and a dry tap): the score is multiplied by 1 - state_conflict x the share
    # of their state kinds not in common.
    state_conflict: float = 0.0
    # A pair classifier in place of the weighted mean: logistic regression over
    # ``MODEL_FEATURES``, its intercept first (see ``pair_features``). The score is then the
    # probability that the pair is one problem; the weights above other than the decays and
    # words of place are unused.
    model: tuple[float, ...] | None = None


# The pair classifier's inputs, in the order of its coefficients (after the intercept).
MODEL_FEATURES = (
    "characters",
    "concepts",
    "objects",
    "problems",
    "state_clash",
    "object_clash",
    "problem_clash",
    "place",
    "unlocated_same_community",
    "time",
    "same_community",
    "same_category",
)


# The weighted mean shipped before the pair classifier, chosen by 5-fold cross-validation over
# both development halves of the corpus (``python -m scripts.eval_dupes.tune --cv 5``): there
# F1 0.921 +- 0.049, precision 0.914 +- 0.055; on the fresh split, never tuned on, F1 0.561,
# precision 0.778. Kept for comparison and as the base of ``tune``'s grid.
WEIGHTED_MEAN = Weights(
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
    category_rarity=0.0,
    text_gate=0.1,
    threshold=0.35,
    linkage=1.0,
    state_conflict=0.5,
)

# The pair classifier, fitted by ``python -m scripts.eval_dupes.fit`` on the development halves
# (tune and held) as if the vocabulary had never seen their words (terms unfolded, concepts
# read from the words alone: on petitions written by other people most paraphrases share
# almost no word) and on the fresh split as filed (written by someone who never saw the
# scorer); coefficients in the order of MODEL_FEATURES after the intercept, each of the sign
# its feature calls for (more shared text never lowers the score, a clash never raises it:
# a feature fitted otherwise is left out, 0). L2 penalty, threshold and linkage chosen by
# 3-fold cross-validation over the fresh split, folds by cluster: the best mean F1 on the
# fold left out among the settings of mean precision at least 0.8 (F1 0.742, precision
# 0.826). On the blind split, never fitted on: see README "统单".
SHIPPING = replace(
    WEIGHTED_MEAN,
    threshold=0.5,
    linkage=1.0,
    model=(
        -12.558,  # intercept
        5.364,  # characters
        4.088,  # concepts
        0.000,  # objects
        1.778,  # problems
        -2.097,  # state_clash
        0.000,  # object_clash
        0.000,  # problem_clash
        1.374,  # place
        2.354,  # unlocated_same_community
        4.678,  # time
        3.018,  # same_community
        1.359,  # same_category
    ),
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
    # The share of the two petitions' state kinds not in common (0 when either names none).
    state_clash: float = 0.0
    # Concepts (wording.concepts): the weighted Dice of all of them, and the plain Dice of
    # what is wrong with (o:) and of what is wrong (p:) apart.
    concepts: float = 0.0
    # The weighted Dice of the characters of the words that say what is wrong.
    characters: float = 0.0
    objects: float = 0.0
    problems: float = 0.0
    # Both name what is wrong with (o:) or what is wrong (p:), and none in common.
    object_clash: bool = False
    problem_clash: bool = False


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
    """Inverse document frequency of each term (and each pair of syllables) among the
    petitions compared together; words of place count ``place_word_weight`` as much (place
    has a signal of its own)."""
    frequency: Counter[str] = Counter()
    count = 0
    for text in texts:
        frequency.update(text.terms)
        frequency.update(text.grams)
        frequency.update(text.concepts)
        frequency.update(text.characters)
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


def _of_kind(concepts: frozenset[str], kind: str) -> frozenset[str]:
    return frozenset(c for c in concepts if c.startswith(kind))


def state_clash(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of two petitions' state kinds not in common; 0 when either names none."""
    if not a or not b:
        return 0.0
    return 1.0 - len(a & b) / len(a | b)


def score_pair(
    a: Candidate, b: Candidate, weight: dict[str, float], w: Weights = SHIPPING
) -> PairScore:
    """The one score of a pair, from its signals, with the reasons a clerk reads."""
    metres = distance_m(a.location, b.location) if a.location and b.location else None
    shared = sorted(a.text.terms & b.text.terms, key=lambda t: (-weight.get(t, 1.0), t))
    objects_a, objects_b = _of_kind(a.text.concepts, "o:"), _of_kind(b.text.concepts, "o:")
    problems_a, problems_b = _of_kind(a.text.concepts, "p:"), _of_kind(b.text.concepts, "p:")
    signals = PairScore(
        petition_a=a.petition_id,
        petition_b=b.petition_id,
        score=0.0,
        words=round(weighted_dice(a.text.terms, b.text.terms, weight), 4),
        chars=round(weighted_dice(a.text.grams, b.text.grams, weight), 4),
        distance_m=round(metres, 1) if metres is not None else None,
        hours_apart=round(abs((a.submitted_at - b.submitted_at).total_seconds()) / 3600, 2),
        same_community=a.community_code == b.community_code,
        same_category=a.category_code == b.category_code,
        shared_words=tuple(shared[:6]),
        state_clash=round(state_clash(a.text.states, b.text.states), 4),
        concepts=round(weighted_dice(a.text.concepts, b.text.concepts, weight), 4),
        characters=round(weighted_dice(a.text.characters, b.text.characters, weight), 4),
        objects=round(dice(objects_a, objects_b), 4),
        problems=round(dice(problems_a, problems_b), 4),
        object_clash=bool(objects_a and objects_b and not objects_a & objects_b),
        problem_clash=bool(problems_a and problems_b and not problems_a & problems_b),
    )
    return replace(signals, score=combined(signals, w))


def pair_features(pair: PairScore, w: Weights) -> tuple[float, ...]:
    """A pair's signals as the classifier reads them (``MODEL_FEATURES``)."""
    located = pair.distance_m is not None
    return (
        pair.characters,
        pair.concepts,
        pair.objects,
        pair.problems,
        pair.state_clash,
        float(pair.object_clash),
        float(pair.problem_clash),
        decay(pair.distance_m, w.place_half_m) if pair.distance_m is not None else 0.0,
        float(not located and pair.same_community),
        decay(pair.hours_apart, w.time_half_h),
        float(pair.same_community),
        float(pair.same_category),
    )


def probability(coefficients: Sequence[float], features: Sequence[float]) -> float:
    """The logistic function of the intercept plus the weighted features."""
    z = coefficients[0] + sum(c * f for c, f in zip(coefficients[1:], features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def combined(pair: PairScore, w: Weights) -> float:
    """The pair classifier's probability (``w.model``) or the weighted mean of a pair's
    signals; 0 when the texts share nothing (no word, no concept) or, for the weighted mean,
    when their text is below the gate."""
    if w.model is not None:
        if not pair.words and not pair.concepts:
            return 0.0
        return round(probability(w.model, pair_features(pair, w)), 4)
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
    return round(score * (1.0 - w.state_conflict * pair.state_clash), 4)


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
        if w.model is not None:  # the classifier judges any pair sharing a word or concept
            self._prefilter = 0.0
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
        # The likely pairs strongest first, kept between calls: a call sorts in only the
        # pairs scored since and drops those of petitions gone.
        self._ranked: list[PairScore] = []
        self._unranked: list[PairScore] = []
        self._dropped = False
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
        if threshold < self.LIKELY:
            strong = strongest_first(p for p in self.pairs() if p.score >= threshold)
        else:
            strong = list(takewhile(lambda p: p.score >= threshold, self._strongest()))
        return cluster(
            self._petitions,
            strong,
            threshold,
            self.weights.linkage,
            self._pairs,
            limit,
            presorted=True,
        )

    def _strongest(self) -> list[PairScore]:
        if self._dropped:
            likely = self._likely
            self._ranked = [
                p for p in self._ranked if likely.get((p.petition_a, p.petition_b)) is p
            ]
            self._dropped = False
        if self._unranked:
            fresh = [
                p for p in self._unranked if self._likely.get((p.petition_a, p.petition_b)) is p
            ]
            if len(fresh) > len(self._ranked) // 8:
                self._ranked = strongest_first([*self._ranked, *fresh])
            else:
                for pair in fresh:
                    insort(self._ranked, pair, key=_strength)
            self._unranked = []
        return self._ranked

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

    def _posted(self, text: PetitionText) -> frozenset[str]:
        """What a petition is found by: its terms, and its concepts for the classifier."""
        return text.terms | text.concepts if self.weights.model is not None else text.terms

    def _add(self, new: Candidate) -> None:
        pid = new.petition_id
        total = sum(self._weight(t) for t in new.text.terms)
        terms = self._posted(new.text)
        for term in terms:
            self._weight(term)
        for gram in new.text.grams:
            self._weight(gram)
        for char in new.text.characters:
            self._weight(char)
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
                self._unranked.append(pair)
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
        for term in self._posted(gone.text):
            self._by_community[gone.community_code][term].discard(pid)
            if cell is not None:
                self._by_cell[cell][term].discard(pid)
        for other in self._pairs.pop(pid, {}):
            self._pairs[other].pop(pid, None)
            self._likely.pop((pid, other) if pid < other else (other, pid), None)
        self._dropped = True


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


def _strength(pair: PairScore) -> tuple[float, str, str]:
    return (-pair.score, pair.petition_a, pair.petition_b)


def strongest_first(pairs: Iterable[PairScore]) -> list[PairScore]:
    """Strongest first, ties by petition ids (two stable sorts in C: by ids, then score)."""
    ordered = sorted(pairs, key=attrgetter("petition_a", "petition_b"))
    ordered.sort(key=attrgetter("score"), reverse=True)
    return ordered


def cluster(
    candidates: Mapping[str, Candidate] | Sequence[Candidate],
    scored: Iterable[PairScore],
    threshold: float,
    linkage: float,
    adjacency: Adjacency | None = None,
    limit: int | None = None,
    presorted: bool = False,
) -> tuple[list[Proposal], int]:
    """Average linkage over the pairs at or above ``threshold``; ``adjacency`` holds every
    scored pair by both its petitions (a pair not in it scores 0), by default built from
    ``scored``; ``presorted``: ``scored`` is strongest first already. The best ranked ``limit``
    proposals (all by default), and how many there are."""
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
        """The sum of the scores between two groups: from each petition of the smaller,
        through its scored pairs or through the other group, whichever is fewer."""
        if len(left) > len(right):
            left, right = right, left
        total = 0.0
        for x in left:
            known = neighbours.get(x, nobody)
            if len(right) > 1 and len(known) < len(right):
                for y, link in known.items():
                    if group_of.get(y) is right:
                        total += link.score
            else:
                for y in right:
                    pair = known.get(y)
                    if pair is not None:
                        total += pair.score
        return total

    if not presorted:
        strong = strongest_first(strong)
    group_of: dict[str, list[str]] = {}
    for pair in strong:
        left = group_of.get(pair.petition_a)
        right = group_of.get(pair.petition_b)
        if left is None and right is None and linkage <= 1:
            # two petitions alone: their average is this pair's score, at least threshold
            group_of[pair.petition_a] = group_of[pair.petition_b] = [
                pair.petition_a,
                pair.petition_b,
            ]
            continue
        left = left or [pair.petition_a]
        right = right or [pair.petition_b]
        if left is right:
            continue
        if cross(left, right) / (len(left) * len(right)) < linkage * threshold:
            continue
        if len(left) < len(right):  # the smaller group joins the larger
            left, right = right, left
        left.extend(right)
        for member in right:
            group_of[member] = left
        group_of[left[0]] = left  # a petition alone until now
    links_of: dict[int, list[PairScore]] = defaultdict(list)
    strength: dict[int, float] = defaultdict(float)
    for pair in strong:  # strongest first
        group = group_of.get(pair.petition_a)
        if group is not None and group is group_of.get(pair.petition_b):
            links_of[id(group)].append(pair)
            strength[id(group)] += pair.score
    ranked = sorted(links_of.items(), key=lambda item: (-strength[item[0]], item[1][0].petition_a))
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
