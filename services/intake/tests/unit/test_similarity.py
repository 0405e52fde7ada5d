"""统单's scorer (domain/wording.py, domain/similarity.py), pure functions only: each signal,
the score that weighs them, and the proposals a clerk reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from civicloop.intake.domain import similarity
from civicloop.intake.domain.model import Location
from civicloop.intake.domain.more_vocabulary import MORE_SYNONYM_GROUPS
from civicloop.intake.domain.similarity import (
    MODEL_FEATURES,
    SHIPPING,
    WEIGHTED_MEAN,
    Candidate,
    PairScore,
)
from civicloop.intake.domain.vocabulary import (
    CONCEPT_PATTERNS,
    STATE_KINDS,
    STOPWORDS,
    SYNONYM_GROUPS,
)
from civicloop.intake.domain.wording import (
    PetitionText,
    Sounds,
    canonical,
    characters,
    chinese_number,
    concepts,
    is_place_word,
    normalise,
    segment,
    sound_bigrams,
    states,
    terms,
)

T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)
GATE = Location(30.99702, 103.62288)


def petition(
    pid: str,
    text: str,
    *,
    community: str = "C001",
    category: str = "streetlight",
    at: Location | None = GATE,
    hours: float = 0,
) -> Candidate:
    return Candidate(
        petition_id=pid,
        case_id=f"case-{pid}",
        community_code=community,
        category_code=category,
        location=at,
        submitted_at=T0 + timedelta(hours=hours),
        text=PetitionText.of(text),
    )


def north(metres: float) -> Location:
    return Location(GATE.latitude + metres / 111_195, GATE.longitude)


# ---- the words ----


@pytest.mark.parametrize(
    "text, number", [("三", 3), ("十八", 18), ("二十一", 21), ("一百零五", 105), ("二一", 21)]
)
def test_chinese_numbers_are_read_as_numbers(text: str, number: int) -> None:
    assert chinese_number(text) == number


def test_a_chinese_number_before_a_measure_word_is_written_in_digits() -> None:
    assert normalise("三栋门口，十八号楼，两斤半") == "3栋门口,18号楼,2斤半"


def test_words_that_start_with_one_stay_words() -> None:
    assert normalise("一直没人管，一下雨就淹") == "一直没人管,一下雨就淹"


def test_full_width_digits_and_letters_are_half_width_and_lower_case() -> None:
    assert normalise("３栋ＬＥＤ灯") == "3栋led灯"


def test_the_segmenter_keeps_city_service_words_whole() -> None:
    words = segment("小区门口路灯不亮，河边有人倒建筑垃圾")
    assert {"路灯", "不亮", "建筑垃圾"} <= set(words)


def test_a_building_number_is_one_word_however_it_is_written() -> None:
    assert "3栋" in segment("三栋楼下")
    assert "3栋" in segment("3幢单元门口")
    assert "7栋" in segment("七号楼全楼停电")


def test_punctuation_is_not_a_word() -> None:
    assert segment("路灯，坏了！！") == ("路灯", "坏了")


@pytest.mark.parametrize(
    "group",
    [
        ["不亮", "坏了", "故障", "黑灯瞎火"],
        ["建渣", "建筑垃圾", "装修垃圾"],
        ["托管", "托育"],
        ["莫得电", "停电", "断电"],
        ["娃儿", "孩子", "娃娃"],
    ],
)
def test_synonyms_fold_into_one_term(group: list[str]) -> None:
    assert len({terms([word]) for word in group}) == 1


def test_stopwords_and_dialect_fillers_are_dropped() -> None:
    assert terms(["我们", "的", "啥子", "咋个", "嘛", "路灯"]) == {"路灯"}


def test_a_community_is_one_term_with_or_without_its_suffix() -> None:
    assert terms(["新联社区"]) == terms(["新联"])


@pytest.mark.parametrize("word", ["翔凤桥", "3栋", "东门", "路口", "门口", "岷江路"])
def test_words_of_place_are_known(word: str) -> None:
    assert is_place_word(word)


@pytest.mark.parametrize("word", ["路灯", "故障", "垃圾桶", "停电"])
def test_words_of_the_problem_are_not_place(word: str) -> None:
    assert not is_place_word(word)


def test_a_character_sounds_as_its_syllable_without_tone() -> None:
    assert Sounds.of("路") == Sounds.of("露") == "lu"
    assert Sounds.of("女") == "nv"
    assert Sounds.of("a") == "a"


@pytest.mark.parametrize(("typo", "word"), [("路等", "路灯"), ("垃极", "垃圾"), ("电悌", "电梯")])
def test_a_homophone_typo_sounds_like_its_word(typo: str, word: str) -> None:
    assert sound_bigrams(segment(f"{typo}坏了")) & sound_bigrams(segment(f"{word}坏了"))


def test_words_of_place_and_stopwords_make_no_sounds() -> None:
    assert sound_bigrams(("翔凤桥", "的", "路灯")) == {"lu|deng"}
    assert sound_bigrams(("3栋", "路灯", "坏")) == {"lu|deng", "deng|huai"}


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("3栋门口路灯不亮了，黑黢黢的", {"dark"}),
        ("3栋门口路灯坏了", set()),
        ("路灯大白天也一直亮起，浪费电", {"always_on"}),
        ("楼上卫生间漏水，天花板在滴", {"leak"}),
        ("小区莫得水了，一早上都没来", {"outage"}),
        ("主水管爆管了，到处是水", {"leak", "outage"}),
        ("垃圾桶都溢出来了，好几天没人拉走", {"overflowing"}),
        ("停车场停满了车", set()),
    ],
)
def test_a_petition_names_the_state_of_its_problem(text: str, kinds: set[str]) -> None:
    assert PetitionText.of(text).states == kinds


def test_every_state_is_a_term_the_vocabulary_folds_to() -> None:
    for term in STATE_KINDS:
        assert canonical(term) == term and term not in STOPWORDS
    assert states(frozenset({"路灯"})) == frozenset()


def test_a_word_means_one_thing_and_a_second_round_group_extends_its_first() -> None:
    counts = Counter(word for group in SYNONYM_GROUPS for word in group)
    assert not [word for word, n in counts.items() if n > 1]
    for group in MORE_SYNONYM_GROUPS:
        assert all(canonical(word) == canonical(group[0]) for word in group), group[0]
    assert canonical("水上不去") == "水压"  # a second-round word folds into the first round's group


def test_a_pattern_is_listed_once_per_concept_and_never_both_as_none_and_as_one() -> None:
    concepts_of: dict[str, list[str]] = {}
    for concept, patterns in CONCEPT_PATTERNS:
        for pattern in patterns:
            concepts_of.setdefault(pattern, []).append(concept)
    repeated = {p: c for p, c in concepts_of.items() if len(c) != len(set(c))}
    contradicted = {p: c for p, c in concepts_of.items() if "" in c and len(set(c)) > 1}
    assert not repeated and not contradicted


def test_states_clash_by_the_share_of_their_kinds_not_in_common() -> None:
    broken, on = frozenset({"dark"}), frozenset({"always_on"})
    assert similarity.state_clash(broken, on) == 1
    assert similarity.state_clash(broken, broken) == 0
    assert similarity.state_clash(broken | on, broken) == pytest.approx(0.5)
    assert similarity.state_clash(broken, frozenset()) == 0


@pytest.mark.parametrize(
    "text, named",
    [
        ("路灯不亮好几天了", {"o:light", "p:dark"}),
        ("晚上黑黢黢的，啥子都看不见", {"p:dark"}),
        ("阴沟冒臭气", {"o:drain", "p:smell"}),
        ("8栋电梯又关人了", {"o:lift"}),  # a lift, not electricity
        ("电瓶车在楼道里飞线充电", {"o:ebike"}),
        ("莲花小区好多耗子", {"o:rodent"}),
        ("高龄补贴三个月没到账", {"o:elderly", "o:money", "p:unpaid"}),
    ],
)
def test_concepts_are_read_from_the_parts_of_words(text: str, named: set[str]) -> None:
    assert named <= concepts(segment(text))


def test_a_word_that_only_looks_like_a_concept_names_none() -> None:
    assert not concepts(segment("网格员打电话说的")) & {"o:network", "o:power"}
    assert "o:power" not in concepts(segment("电梯坏了"))


def test_damage_in_general_and_the_hour_are_no_problem_of_their_own() -> None:
    named = concepts(segment("路灯坏了，晚上很危险"))
    assert {"g:broken", "g:night", "g:unsafe"} <= named
    assert not {c for c in named if c.startswith("p:")}


def test_characters_leave_out_stopwords_and_words_of_place() -> None:
    chars = characters(segment("翔凤桥的路灯不亮了"))
    assert {"#路", "#灯", "#亮"} <= chars
    assert not {"#翔", "#凤", "#桥", "#的"} & chars


def test_stored_words_are_used_instead_of_segmenting_again() -> None:
    text = PetitionText.of("路灯不亮", ("建渣",))
    assert text.terms == {"建筑垃圾"}


# ---- the signals ----


def test_distance_is_great_circle_metres() -> None:
    assert similarity.distance_m(GATE, north(250)) == pytest.approx(250, abs=1)


def test_decay_halves_every_half_and_never_reaches_a_hard_cut() -> None:
    assert similarity.decay(0, 150) == 1
    assert similarity.decay(150, 150) == pytest.approx(0.5)
    assert similarity.decay(300, 150) == pytest.approx(0.25)
    assert 0 < similarity.decay(301, 150) < similarity.decay(299, 150)


@pytest.mark.parametrize(
    "a, b", [("streetlight", "power_supply"), ("drainage", "road_damage"), ("noise", "noise")]
)
def test_neighbouring_categories_are_related(a: str, b: str) -> None:
    assert similarity.related_categories(a, b) and similarity.related_categories(b, a)


def test_unrelated_categories_are_not() -> None:
    assert not similarity.related_categories("streetlight", "noise")


def test_a_rare_term_weighs_more_than_a_common_one() -> None:
    texts = [PetitionText.of(t) for t in ("路灯不亮", "路灯杆歪了", "路灯闪", "井盖丢了")]
    weight = similarity.term_weights(texts)
    assert weight["井盖"] > weight["路灯"]


def test_a_rare_pair_of_syllables_weighs_more_than_a_common_one() -> None:
    texts = [PetitionText.of(t) for t in ("路灯不亮", "路灯杆歪了", "路灯闪", "井盖丢了")]
    weight = similarity.term_weights(texts)
    assert weight["jing|gai"] > weight["lu|deng"]


def test_words_of_place_weigh_less() -> None:
    texts = [PetitionText.of(t) for t in ("翔凤桥路灯", "翔凤桥路灯")]
    weight = similarity.term_weights(texts, place_word_weight=0.25)
    assert weight["翔凤桥"] == pytest.approx(weight["路灯"] * 0.25)


def test_dice_of_identical_sets_is_one_and_of_disjoint_sets_zero() -> None:
    a, b = frozenset({"路灯", "故障"}), frozenset({"井盖"})
    assert similarity.weighted_dice(a, a, {}) == 1 and similarity.weighted_dice(a, b, {}) == 0
    assert similarity.weighted_dice(frozenset(), a, {}) == 0


def pair(**signals: object) -> PairScore:
    base = PairScore(
        petition_a="a",
        petition_b="b",
        score=0.0,
        words=0.5,
        chars=0.3,
        distance_m=20.0,
        hours_apart=2.0,
        same_community=True,
        same_category=True,
        shared_words=("路灯", "故障"),
        concepts=0.5,
        characters=0.4,
        objects=0.5,
        problems=0.5,
    )
    return replace(base, **signals)  # type: ignore[arg-type]


def test_the_weighted_mean_grows_with_the_words_shared() -> None:
    more = similarity.combined(pair(words=0.6), WEIGHTED_MEAN)
    assert more > similarity.combined(pair(), WEIGHTED_MEAN)


@pytest.mark.parametrize("signal", ["characters", "concepts", "objects", "problems"])
def test_the_classifier_never_falls_as_the_text_shared_grows(signal: str) -> None:
    more = similarity.combined(pair(**{signal: 0.9}), SHIPPING)
    assert more >= similarity.combined(pair(), SHIPPING)


@pytest.mark.parametrize("signal", ["characters", "concepts", "problems"])
def test_the_classifier_grows_with_the_text_shared(signal: str) -> None:
    more = similarity.combined(pair(**{signal: 0.9}), SHIPPING)
    assert more > similarity.combined(pair(), SHIPPING)


def test_every_coefficient_has_the_sign_its_signal_calls_for() -> None:
    assert SHIPPING.model is not None
    for name, coefficient in zip(MODEL_FEATURES, SHIPPING.model[1:], strict=True):
        assert coefficient * (-1 if name.endswith("clash") else 1) >= 0, name


def test_the_classifier_reads_its_features_in_the_order_of_its_coefficients() -> None:
    assert SHIPPING.model is not None and len(SHIPPING.model) == len(MODEL_FEATURES) + 1
    assert len(similarity.pair_features(pair(), SHIPPING)) == len(MODEL_FEATURES)
    assert similarity.probability((0.0, 1.0), (0.0,)) == 0.5
    assert similarity.probability((-1.0, 2.0), (1.0,)) > 0.5


def test_things_or_problems_named_apart_never_score_more_than_none_named() -> None:
    clash = similarity.combined(pair(problems=0.0, problem_clash=True), SHIPPING)
    assert clash <= similarity.combined(pair(problems=0.0), SHIPPING)
    other_thing = similarity.combined(pair(objects=0.0, object_clash=True), SHIPPING)
    assert other_thing <= similarity.combined(pair(objects=0.0), SHIPPING)


def test_nearer_scores_higher_and_far_still_scores_something() -> None:
    near = similarity.combined(pair(distance_m=20.0), SHIPPING)
    far = similarity.combined(pair(distance_m=900.0), SHIPPING)
    assert near > far > similarity.combined(pair(distance_m=1e7), SHIPPING)


def test_without_location_the_same_community_stands_in_for_place() -> None:
    same = similarity.combined(pair(distance_m=None), SHIPPING)
    other = similarity.combined(pair(distance_m=None, same_community=False), SHIPPING)
    assert same > other


def test_closer_in_time_scores_higher() -> None:
    soon = similarity.combined(pair(hours_apart=1.0), SHIPPING)
    late = similarity.combined(pair(hours_apart=150.0), SHIPPING)
    assert soon > late


def test_a_neighbouring_category_scores_less_than_the_same() -> None:
    same = similarity.combined(pair(), SHIPPING)
    assert similarity.combined(pair(same_category=False), SHIPPING) < same


@pytest.mark.parametrize("w", [WEIGHTED_MEAN, SHIPPING], ids=["weighted mean", "classifier"])
def test_the_same_object_in_another_state_scores_less(w: similarity.Weights) -> None:
    clash = similarity.combined(pair(state_clash=1.0), w)
    assert clash < similarity.combined(pair(state_clash=0.5), w)
    assert similarity.combined(pair(state_clash=0.5), w) < similarity.combined(pair(), w)


def test_a_dark_lamp_and_a_lamp_on_all_day_are_two_problems() -> None:
    dark = petition("a", "3栋门口的路灯坏了，晚上黑黢黢的")
    again = petition("b", "3栋那盏路灯不亮好几天了", hours=5)
    on = petition("c", "3栋门口路灯大白天一直亮起", hours=5)
    scores = {
        frozenset((p.petition_a, p.petition_b)): p
        for p in similarity.score_pairs([dark, again, on], 1000)
    }
    assert scores[frozenset("ac")].state_clash == 1
    assert scores[frozenset("ab")].score > scores[frozenset("ac")].score


@pytest.mark.parametrize("w", [WEIGHTED_MEAN, SHIPPING], ids=["weighted mean", "classifier"])
def test_place_and_time_alone_never_make_a_duplicate(w: similarity.Weights) -> None:
    alone = pair(words=0.0, chars=0.0, concepts=0.0, distance_m=0.0, hours_apart=0.0)
    assert similarity.combined(alone, w) == 0


def test_scores_stay_between_zero_and_one() -> None:
    top = pair(words=1.0, chars=1.0, distance_m=0.0, hours_apart=0.0)
    assert similarity.combined(top, WEIGHTED_MEAN) == pytest.approx(1.0)
    best = pair(characters=1.0, concepts=1.0, objects=1.0, problems=1.0, distance_m=0.0)
    assert SHIPPING.threshold < similarity.combined(best, SHIPPING) <= 1
    worst = pair(characters=0.01, concepts=0.01, objects=0.0, problems=0.0, state_clash=1.0)
    assert 0 <= similarity.combined(replace(worst, hours_apart=500.0), SHIPPING) < 0.01


def test_the_shipping_weights_are_the_ones_written_down() -> None:
    assert similarity.DEFAULT_THRESHOLD == SHIPPING.threshold
    assert 0 < SHIPPING.threshold <= 1


# ---- which pairs are compared ----


def compared(cands: list[Candidate], max_distance_m: float = 1000) -> set[frozenset[str]]:
    return {
        frozenset((p.petition_a, p.petition_b))
        for p in similarity.score_pairs(cands, max_distance_m)
    }


def test_petitions_of_unrelated_categories_are_never_compared() -> None:
    both = [petition("a", "路灯不亮"), petition("b", "路灯不亮", category="noise")]
    assert compared(both) == set()


def test_petitions_sharing_no_word_or_concept_are_never_compared() -> None:
    assert compared([petition("a", "路灯不亮"), petition("b", "井盖丢了")]) == set()


def test_petitions_sharing_only_a_concept_are_compared() -> None:
    dark = [petition("a", "路灯不亮", at=None), petition("b", "晚上啥子都看不见", at=None)]
    assert not dark[0].text.terms & dark[1].text.terms
    assert compared(dark) == {frozenset("ab")}


def test_located_petitions_beyond_the_distance_are_not_compared() -> None:
    both = [petition("a", "路灯不亮"), petition("b", "路灯不亮", at=north(2000))]
    assert compared(both, 1000) == set()
    assert compared(both, 3000) == {frozenset("ab")}


def test_near_petitions_are_compared_across_a_community_boundary() -> None:
    both = [petition("a", "路灯不亮"), petition("b", "路灯坏了", community="C002", at=north(50))]
    assert compared(both) == {frozenset("ab")}


def test_hotline_petitions_are_compared_within_their_community_only() -> None:
    found = compared(
        [
            petition("a", "路灯不亮", at=None),
            petition("b", "路灯不亮", at=None),
            petition("c", "路灯不亮", at=None, community="C002"),
        ]
    )
    assert found == {frozenset("ab")}


def test_each_pair_is_compared_once() -> None:
    many = [petition(str(i), "路灯不亮", at=north(i * 10)) for i in range(6)]
    assert len(similarity.score_pairs(many, 1000)) == 15


# ---- the index kept between calls ----


def test_the_index_scores_only_what_was_filed_since_and_forgets_what_left() -> None:
    index = similarity.DuplicateIndex()
    index.update(STREETLIGHT[:2])
    assert len(index.pairs()) == 1
    index.update(STREETLIGHT[1:])  # lamp1 merged or out of the window, lamp3 filed
    assert {frozenset((p.petition_a, p.petition_b)) for p in index.pairs()} == {
        frozenset(("lamp2", "lamp3"))
    }
    assert len(index) == 2


def test_the_index_answers_as_a_fresh_one_would() -> None:
    index = similarity.DuplicateIndex()
    index.update([*STREETLIGHT, *WATER])
    index.update([*STREETLIGHT[1:], *WATER])
    index.update([*STREETLIGHT, *WATER])
    assert index.propose(SHIPPING.threshold)[0] == similarity.propose([*STREETLIGHT, *WATER])


def test_the_index_keeps_its_pairs_ranked_as_they_come_and_go() -> None:
    texts = ["路灯不亮", "路灯坏了好几天", "井盖丢了", "井盖不见了", "垃圾桶满了没人收"]
    many = [
        petition(f"p{i:02}", texts[i % len(texts)], community=f"C00{i % 4}", at=None, hours=i)
        for i in range(40)
    ]
    index = similarity.DuplicateIndex()
    index.update(many[:36])
    index.propose(SHIPPING.threshold)
    for present in (many[1:37], many[1:38], many[3:40]):  # a few gone, a few filed each time
        index.update(present)
        expected = similarity.cluster(present, index.pairs(), SHIPPING.threshold, SHIPPING.linkage)
        assert index.propose(SHIPPING.threshold) == expected


def test_the_index_tells_which_petitions_it_still_needs() -> None:
    index = similarity.DuplicateIndex()
    index.update(STREETLIGHT[:1])
    assert index.missing(["lamp1", "lamp2"]) == ["lamp2"]


def test_a_petition_merged_for_review_is_proposed_with_its_new_case() -> None:
    index = similarity.DuplicateIndex()
    index.update(STREETLIGHT)
    index.sync({"lamp1": "case-lamp1", "lamp2": "case-lamp1", "lamp3": "case-lamp3"}, [])
    (lamps,), _ = index.propose(SHIPPING.threshold)
    assert lamps.case_ids == ("case-lamp1", "case-lamp3")


# ---- proposals ----

STREETLIGHT = [
    petition("lamp1", "翔凤桥小区3栋门口那盏路灯不亮了，晚上黑黢黢的", hours=0),
    petition("lamp2", "我们三栋楼下的路灯坏了好几天了，一直没人来修", at=None, hours=9),
    petition("lamp3", "3幢单元门口路灯故障，灯头不亮，需报修", at=north(12), hours=26),
]
WATER = [
    petition("water1", "莲花小区早上停水了，也没提前通知", category="water_supply", at=None),
    petition("water2", "莲花小区突然断水，水龙头一滴都没有", category="water_supply", at=None),
]


def test_paraphrases_of_one_problem_are_proposed_together_with_reasons() -> None:
    proposals = similarity.propose([*STREETLIGHT, *WATER])

    lamps = next(p for p in proposals if "lamp1" in p.petition_ids)
    assert lamps.petition_ids == ("lamp1", "lamp2", "lamp3")  # earliest first
    assert lamps.case_ids == ("case-lamp1", "case-lamp2", "case-lamp3")
    assert lamps.category_code == "streetlight"
    assert lamps.links and all(link.score >= SHIPPING.threshold for link in lamps.links)
    strongest = lamps.links[0]
    assert "故障" in strongest.shared_words or "路灯" in strongest.shared_words
    assert lamps.min_score == min(link.score for link in lamps.links)


def test_reasons_give_distance_only_when_both_petitions_are_located() -> None:
    (lamps, *_) = similarity.propose(STREETLIGHT)
    by_pair = {frozenset((x.petition_a, x.petition_b)): x for x in lamps.links}
    located = by_pair.get(frozenset(("lamp1", "lamp3")))
    assert located is not None and located.distance_m == pytest.approx(12, abs=1)
    assert all(x.distance_m is None for key, x in by_pair.items() if "lamp2" in key)


def test_a_petition_sits_in_at_most_one_proposal() -> None:
    proposals = similarity.propose([*STREETLIGHT, *WATER])
    members = [pid for p in proposals for pid in p.petition_ids]
    assert len(members) == len(set(members))


def test_proposals_are_ranked_from_one_most_worth_a_clerks_time_first() -> None:
    proposals = similarity.propose([*STREETLIGHT, *WATER])
    assert [p.rank for p in proposals] == list(range(1, len(proposals) + 1))
    assert proposals[0].petition_ids[0] == "lamp1"  # three petitions before two


def test_a_different_problem_at_the_same_spot_is_not_proposed() -> None:
    bent_pole = petition("pole", "3栋门口的路灯杆子被货车撞歪了，怕倒下来砸到人", hours=30)
    proposals = similarity.propose([*STREETLIGHT, bent_pole])
    assert all("pole" not in p.petition_ids for p in proposals)


def test_a_chain_of_weak_resemblances_does_not_join_two_problems() -> None:
    scored = [
        pair(score=0.9),
        replace(pair(score=0.9), petition_a="c", petition_b="d"),
        replace(pair(score=0.6), petition_a="b", petition_b="c"),
    ]
    cands = [petition(x, "路灯") for x in "abcd"]
    proposals, count = similarity.cluster(cands, scored, threshold=0.5, linkage=1.0)
    assert sorted(p.petition_ids for p in proposals) == [("a", "b"), ("c", "d")]
    assert count == 2


def test_only_the_best_ranked_are_given_and_all_are_counted() -> None:
    index = similarity.DuplicateIndex()
    index.update([*STREETLIGHT, *WATER])
    best, count = index.propose(SHIPPING.threshold, limit=1)
    assert [p.rank for p in best] == [1] and count == 2


def test_nothing_alike_proposes_nothing() -> None:
    assert similarity.propose([petition("a", "路灯不亮"), WATER[0]]) == []
    assert similarity.propose([]) == []


# ---- measured on realistic petitions ----
# (category, one resident's words, another's): the same problem, and another problem of the
# same category. The first petition of each row in SAME_ISSUE starts its row in UNRELATED.

SAME_ISSUE = [
    ("streetlight", "小区门口路灯不亮", "小区门口的路灯坏了不亮"),
    ("drainage", "岷江路路口一下雨就积水，车辆无法通行", "岷江路口下雨积水很深，车都过不去"),
    (
        "noise",
        "楼下烧烤店每天营业到凌晨两点，噪音太大影响休息",
        "楼下的烧烤店半夜还在营业，太吵了影响休息",
    ),
    (
        "sanitation",
        "3号楼旁边的垃圾桶满了好几天没人清运，臭味很大",
        "3号楼边上的垃圾桶好几天没清运了，很臭",
    ),
    (
        "water_supply",
        "我们小区从早上开始停水，也没有提前通知",
        "小区今天一早就停水了，事先没有通知",
    ),
    ("parking", "消防通道被私家车长期占用，消防车进不来", "有私家车长期停在消防通道上，占用通道"),
    (
        "road_damage",
        "人民路人行道地砖松动翘起，老人容易绊倒",
        "人民路人行道的地砖翘起来了，老人走路容易摔倒",
    ),
    (
        "elderly_care",
        "社区老年食堂什么时候恢复供餐，老人吃饭不方便",
        "老年食堂停了很久，希望尽快恢复供餐",
    ),
    (
        "greening",
        "楼前大树的树枝伸到窗户边挡住阳光，需要修剪",
        "楼前的大树太高挡住了阳光，请帮忙修剪树枝",
    ),
]

UNRELATED = [
    ("streetlight", "小区门口路灯不亮", "小区后门的路灯杆被车撞歪了，有倒下的危险"),
    ("drainage", "岷江路路口一下雨就积水，车辆无法通行", "岷江路的下水道堵塞，污水从井盖冒出来"),
    (
        "noise",
        "楼下烧烤店每天营业到凌晨两点，噪音太大影响休息",
        "楼下广场舞音响声音太大，晚上影响休息",
    ),
    (
        "sanitation",
        "3号楼旁边的垃圾桶满了好几天没人清运，臭味很大",
        "5号楼楼道里堆满杂物和纸箱，很久没人清理",
    ),
    ("water_supply", "我们小区从早上开始停水，也没有提前通知", "小区自来水发黄有锈味，不敢饮用"),
    ("parking", "消防通道被私家车长期占用，消防车进不来", "小区门口共享单车乱停，挡住了人行道"),
    ("road_damage", "人民路人行道地砖松动翘起，老人容易绊倒", "人民路中间有个大坑，井盖也缺失了"),
    (
        "elderly_care",
        "社区老年食堂什么时候恢复供餐，老人吃饭不方便",
        "想给家里的老人申请上门助浴服务",
    ),
    (
        "greening",
        "楼前大树的树枝伸到窗户边挡住阳光，需要修剪",
        "楼前绿地被人私自种菜，草坪被破坏了",
    ),
]


def word_similarity(a: str, b: str) -> float:
    ta, tb = PetitionText.of(a), PetitionText.of(b)
    return similarity.weighted_dice(ta.terms, tb.terms, {})


@pytest.mark.parametrize(
    "category, first, paraphrase, unrelated",
    [(c, a, b, u) for (c, a, b), (_, _, u) in zip(SAME_ISSUE, UNRELATED, strict=True)],
    ids=[c for c, _, _ in SAME_ISSUE],
)
def test_a_paraphrase_shares_more_words_than_another_problem_of_its_category(
    category: str, first: str, paraphrase: str, unrelated: str
) -> None:
    assert word_similarity(first, paraphrase) > word_similarity(first, unrelated)
