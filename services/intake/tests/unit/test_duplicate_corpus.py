"""The 统单 evaluation corpus (tests/eval/corpus) is what its README says it is."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from civicloop.reference.catalogue import categories, communities

CORPUS = Path(__file__).parents[1] / "eval" / "corpus"
# tune and held were written with the scorer; fresh was written independently, afterwards;
# blind by another author later still.
SPLITS = ("tune", "held", "fresh", "blind")
# The splits with a hard negative in every category.
SHADOWED_SPLITS = ("tune", "held", "fresh")


def clusters() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(CORPUS.glob("*.json")):
        found.extend(json.loads(path.read_text("utf-8"))["clusters"])
    return found


def test_at_least_200_petitions_in_at_least_50_clusters_of_two_or_more() -> None:
    everything = clusters()
    assert sum(len(c["petitions"]) for c in everything) >= 200
    assert sum(len(c["petitions"]) >= 2 for c in everything) >= 50


def test_every_category_intake_knows_is_there_with_a_hard_negative_in_each_split() -> None:
    everything = clusters()
    assert {c["category"] for c in everything} == set(categories())
    for split in SHADOWED_SPLITS:
        shadowed = {c["category"] for c in everything if c["split"] == split and "negative_of" in c}
        assert shadowed == set(categories()), split


def test_a_hard_negative_shadows_a_cluster_of_its_half_category_and_community() -> None:
    by_id = {c["id"]: c for c in clusters()}
    for cluster in by_id.values():
        if "negative_of" in cluster:
            shadowed = by_id[cluster["negative_of"]]
            for key in ("split", "category", "community"):
                assert cluster[key] == shadowed[key], (cluster["id"], key)


def split(name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A split's clusters and their petitions."""
    chosen = [c for c in clusters() if c["split"] == name]
    return chosen, [p for c in chosen for p in c["petitions"]]


def test_the_fresh_split_stands_on_its_own() -> None:
    fresh, petitions = split("fresh")
    assert len(petitions) >= 160
    assert len(fresh) >= 60
    assert sum(2 <= len(c["petitions"]) <= 5 for c in fresh) >= 45
    assert any(len(c["petitions"]) == 1 for c in fresh)
    assert {c["category"] for c in fresh} == set(categories())
    assert sum("m" not in p for p in petitions) * 10 >= len(petitions) * 4


def test_the_blind_split_stands_on_its_own() -> None:
    blind, petitions = split("blind")
    assert len(petitions) >= 200
    assert len(blind) >= 70
    assert sum(2 <= len(c["petitions"]) <= 5 for c in blind) >= 45
    assert sum("negative_of" in c for c in blind) >= 20
    assert len({c["category"] for c in blind}) >= 18
    assert sum("m" not in p for p in petitions) * 3 >= len(petitions)


def test_at_least_a_third_of_the_petitions_have_no_location() -> None:
    petitions = [p for c in clusters() for p in c["petitions"]]
    unlocated = [p for p in petitions if "m" not in p]
    assert len(unlocated) * 3 >= len(petitions)


def test_ids_are_unique_and_codes_are_intakes() -> None:
    everything = clusters()
    assert not [i for i, n in Counter(c["id"] for c in everything).items() if n > 1]
    for cluster in everything:
        assert cluster["community"] in communities()
        assert cluster["split"] in SPLITS
        for petition in cluster["petitions"]:
            assert petition.get("category", cluster["category"]) in categories()
            assert petition["text"].strip()
            assert "m" not in petition or cluster["place"] is not None


def test_cross_validation_folds_hold_whole_clusters_with_their_hard_negatives() -> None:
    from scripts.eval_dupes import corpus, tune

    petitions = corpus.load()
    parts = tune.folds(petitions, 5)
    fold_of_cluster: dict[str, int] = {}
    for i, part in enumerate(parts):
        for p in part:
            assert fold_of_cluster.setdefault(p.cluster_id, i) == i
    assert sum(len(part) for part in parts) == len(petitions)
    assert max(map(len, parts)) - min(map(len, parts)) <= 5
    for cluster in clusters():
        if "negative_of" in cluster:
            assert fold_of_cluster[cluster["id"]] == fold_of_cluster[cluster["negative_of"]]
    assert [[p.petition_id for p in part] for part in tune.folds(petitions, 5)] == [
        [p.petition_id for p in part] for part in parts
    ]


def test_tuning_reads_the_development_halves_only() -> None:
    from scripts.eval_dupes import corpus

    development = corpus.load(corpus.DEVELOPMENT)
    assert {p.split for p in development} == {"tune", "held"}
    assert len(development) == len(corpus.load("tune")) + len(corpus.load("held"))


def test_the_classifiers_fit_finds_the_feature_that_tells_duplicates_apart() -> None:
    from scripts.eval_dupes import fit

    features = [(x / 10, (x * 7 % 10) / 10) for x in range(11)] * 4
    labels = [float(x > 0.5) for x, _ in features]
    beta = fit.fit(features, labels, l2=0.3)
    assert beta[1] > 3 and abs(beta[2]) < 1
    heavy = fit.fit(features, labels, l2=0.3, weights=[2.0] * len(labels))
    assert heavy[1] > beta[1]  # twice the data, the same penalty: less shrunk


def test_the_signed_fit_leaves_out_a_feature_of_the_wrong_sign() -> None:
    from scripts.eval_dupes import fit

    # The second feature copies the first, less the label: alone it would come out negative.
    features = [(x / 10, x / 10 - (1.0 if x > 5 else 0.0)) for x in range(11)] * 4
    labels = [float(x > 5) for x in range(11)] * 4
    assert fit.fit(features, labels, l2=0.3)[2] < 0
    beta = fit.fit_signed(features, labels, l2=0.3, signs=(1, 1))
    assert beta[1] > 3 and beta[2] == 0.0


def test_the_classifier_is_fitted_on_the_fresh_split_and_never_on_the_blind_one() -> None:
    from scripts.eval_dupes import corpus

    fitted = {*corpus.DEVELOPMENT, *corpus.FITTED_AS_FILED}
    assert fitted == {"tune", "held", "fresh"}
    assert corpus.HELD_OUT == ("blind",) and not fitted & set(corpus.HELD_OUT)


def test_unseen_petitions_keep_their_words_unfolded() -> None:
    from civicloop.intake.domain.wording import segment
    from scripts.eval_dupes import corpus, fit

    petition = next(p for p in corpus.load("tune") if "不亮" in p.text)
    text = fit.unseen(petition).text
    assert "故障" in petition.candidate().text.terms  # 不亮 folds to 故障 as filed
    assert "故障" not in text.terms and text.terms <= set(segment(petition.text))
    assert text.concepts <= petition.candidate().text.concepts


def test_windows_taken_together_sum_their_pairs_and_weigh_bcubed_by_items() -> None:
    from scripts.eval_dupes.metrics import pooled, quality

    first = quality({"a": "x", "b": "x", "c": "c"}, {"a": "a", "b": "a", "c": "a"})
    second = quality({"d": "y", "e": "y"}, {"d": "d", "e": "e"})
    both = pooled([(first, 3), (second, 2)])
    assert (both.true_pairs, both.proposed_pairs, both.correct_pairs) == (2, 3, 1)
    assert both.precision == 1 / 3 and both.recall == 1 / 2
    expected = (first.bcubed_precision * 3 + second.bcubed_precision * 2) / 5
    assert abs(both.bcubed_precision - expected) < 1e-12


def test_each_author_is_a_window_of_the_held_out_split() -> None:
    from scripts.eval_dupes import corpus

    files = {p.file for p in corpus.load("blind")}
    assert files == {"blind", "blind_b", "blind_c"}
