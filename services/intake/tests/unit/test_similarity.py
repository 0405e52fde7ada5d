"""Near-duplicate detection for Chinese petitions (domain/similarity.py), pure functions only.

The store asks pg_trgm to compare ``bigram_text`` of two descriptions; ``bigram_dice`` is the
pure stand-in used here to measure the idea on realistic petitions.
"""

from __future__ import annotations

import pytest

from civicloop.intake.domain.similarity import bigram_dice, bigram_text, clusters

# ---- the text pg_trgm sees ----


def test_chinese_text_becomes_overlapping_character_bigrams() -> None:
    assert bigram_text("小区门口路灯不亮") == "小区 区门 门口 口路 路灯 灯不 不亮"


def test_punctuation_separates_runs_and_bigrams_never_cross_it() -> None:
    assert bigram_text("路灯坏了，不亮。") == "路灯 灯坏 坏了 不亮"


def test_a_lone_chinese_character_between_punctuation_is_kept_as_a_word() -> None:
    assert bigram_text("灯，坏") == "灯 坏"


def test_latin_words_and_digits_are_kept_whole_and_lower_cased() -> None:
    assert bigram_text("3号楼LED路灯坏了") == "3 号楼 led 路灯 灯坏 坏了"


def test_mixed_text_with_spaces_and_symbols() -> None:
    assert bigram_text("WiFi 信号差!! 2楼") == "wifi 信号 号差 2 楼"


@pytest.mark.parametrize("text", ["", "   ", "，。！？", "--- ***"])
def test_text_without_words_has_no_bigrams(text: str) -> None:
    assert bigram_text(text) == ""


def test_rare_cjk_extension_a_characters_count_as_chinese() -> None:
    assert bigram_text("㐀㐁") == "㐀㐁"


# ---- the pure similarity score ----


def test_identical_texts_score_one() -> None:
    assert bigram_dice("小区门口路灯不亮", "小区门口路灯不亮") == 1.0


def test_texts_without_a_shared_bigram_score_zero() -> None:
    assert bigram_dice("路灯不亮", "井盖缺失") == 0.0


def test_an_empty_text_scores_zero_against_anything() -> None:
    assert bigram_dice("", "小区门口路灯不亮") == 0.0
    assert bigram_dice("，。", "") == 0.0


def test_the_score_is_symmetric() -> None:
    a, b = "小区门口路灯不亮", "小区门口的路灯坏了不亮"
    assert bigram_dice(a, b) == bigram_dice(b, a)


def test_the_classic_pair_scores_as_dice_over_bigram_sets() -> None:
    # 7 and 10 bigrams, sharing 小区 区门 门口 路灯 不亮: 2 * 5 / 17.
    assert bigram_dice("小区门口路灯不亮", "小区门口的路灯坏了不亮") == pytest.approx(10 / 17)


# ---- grouping similar pairs into clusters ----


def test_no_pairs_means_no_clusters() -> None:
    assert clusters([]) == []


def test_one_pair_is_one_cluster_carrying_its_score() -> None:
    assert clusters([("b", "a", 0.6)]) == [(["a", "b"], 0.6)]


def test_similarity_is_transitive_within_a_cluster() -> None:
    found = clusters([("p1", "p2", 0.9), ("p2", "p3", 0.8), ("p4", "p3", 0.7)])

    assert found == [(["p1", "p2", "p3", "p4"], 0.7)]


def test_a_cluster_keeps_the_weakest_similarity_that_joined_it() -> None:
    found = clusters([("a", "b", 0.5), ("b", "c", 0.95), ("c", "d", 0.8)])

    assert found == [(["a", "b", "c", "d"], 0.5)]


def test_joining_two_clusters_keeps_the_weaker_of_both() -> None:
    found = clusters([("a", "b", 0.4), ("c", "d", 0.9), ("b", "c", 0.7)])

    assert found == [(["a", "b", "c", "d"], 0.4)]


def test_a_redundant_weaker_pair_inside_a_cluster_still_counts_as_its_weakest() -> None:
    found = clusters([("a", "b", 0.9), ("b", "c", 0.9), ("a", "c", 0.35)])

    assert found == [(["a", "b", "c"], 0.35)]


def test_unconnected_pairs_stay_separate_clusters() -> None:
    found = clusters([("a", "b", 0.6), ("c", "d", 0.7)])

    assert found == [(["a", "b"], 0.6), (["c", "d"], 0.7)]


def test_clusters_are_sorted_largest_first_then_by_first_member() -> None:
    found = clusters(
        [
            ("x", "y", 0.5),
            ("m", "n", 0.6),
            ("n", "o", 0.6),
            ("b", "a", 0.7),
            ("q", "p", 0.8),
            ("p", "r", 0.8),
            ("r", "s", 0.9),
        ]
    )

    assert [members for members, _ in found] == [
        ["p", "q", "r", "s"],
        ["m", "n", "o"],
        ["a", "b"],
        ["x", "y"],
    ]


def test_clusters_do_not_depend_on_the_order_of_the_pairs() -> None:
    pairs = [("a", "b", 0.5), ("c", "d", 0.9), ("b", "c", 0.7), ("e", "f", 0.6)]

    assert clusters(pairs) == clusters(list(reversed(pairs)))


def test_a_pair_is_accepted_as_any_iterable() -> None:
    found = clusters(iter([("a", "b", 0.6), ("b", "c", 0.5)]))

    assert found == [(["a", "b", "c"], 0.5)]


# ---- measured on realistic petitions ----
# (category, one resident's words, another's). The first petition of each row in SAME_ISSUE
# is also the first petition of the row of the same category in UNRELATED.

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


def _scores(rows: list[tuple[str, str, str]]) -> dict[str, float]:
    return {category: round(bigram_dice(a, b), 3) for category, a, b in rows}


def test_the_corpus_pairs_each_same_issue_pair_with_an_unrelated_one_of_its_category() -> None:
    assert [(c, a) for c, a, _ in SAME_ISSUE] == [(c, a) for c, a, _ in UNRELATED]


@pytest.mark.parametrize(
    "category, petition, paraphrase, unrelated",
    [(c, a, b, u) for (c, a, b), (_, _, u) in zip(SAME_ISSUE, UNRELATED, strict=True)],
    ids=[c for c, _, _ in SAME_ISSUE],
)
def test_a_paraphrase_of_a_petition_scores_above_another_issue_of_its_category(
    category: str, petition: str, paraphrase: str, unrelated: str
) -> None:
    assert bigram_dice(petition, paraphrase) > bigram_dice(petition, unrelated)


@pytest.mark.parametrize("category, a, b", SAME_ISSUE, ids=[c for c, _, _ in SAME_ISSUE])
def test_same_issue_paraphrases_score_above_a_quarter(category: str, a: str, b: str) -> None:
    assert bigram_dice(a, b) > 0.25


@pytest.mark.parametrize("category, a, b", UNRELATED, ids=[c for c, _, _ in UNRELATED])
def test_unrelated_petitions_of_one_category_score_below_0_35(
    category: str, a: str, b: str
) -> None:
    assert bigram_dice(a, b) < 0.35
