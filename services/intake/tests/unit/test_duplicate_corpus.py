"""The 统单 evaluation corpus (tests/eval/corpus) is what its README says it is."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from civicloop.reference.catalogue import categories, communities

CORPUS = Path(__file__).parents[1] / "eval" / "corpus"


def clusters() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(CORPUS.glob("*.json")):
        found.extend(json.loads(path.read_text("utf-8"))["clusters"])
    return found


def test_at_least_200_petitions_in_at_least_50_clusters_of_two_or_more() -> None:
    everything = clusters()
    assert sum(len(c["petitions"]) for c in everything) >= 200
    assert sum(len(c["petitions"]) >= 2 for c in everything) >= 50


def test_every_category_intake_knows_is_there_with_a_hard_negative_in_each_half() -> None:
    everything = clusters()
    assert {c["category"] for c in everything} == set(categories())
    for split in ("tune", "held"):
        shadowed = {c["category"] for c in everything if c["split"] == split and "negative_of" in c}
        assert shadowed == set(categories()), split


def test_a_hard_negative_shadows_a_cluster_of_its_half_category_and_community() -> None:
    by_id = {c["id"]: c for c in clusters()}
    for cluster in by_id.values():
        if "negative_of" in cluster:
            shadowed = by_id[cluster["negative_of"]]
            for key in ("split", "category", "community"):
                assert cluster[key] == shadowed[key], (cluster["id"], key)


def test_at_least_a_third_of_the_petitions_have_no_location() -> None:
    petitions = [p for c in clusters() for p in c["petitions"]]
    unlocated = [p for p in petitions if "m" not in p]
    assert len(unlocated) * 3 >= len(petitions)


def test_ids_are_unique_and_codes_are_intakes() -> None:
    everything = clusters()
    assert not [i for i, n in Counter(c["id"] for c in everything).items() if n > 1]
    for cluster in everything:
        assert cluster["community"] in communities()
        assert cluster["split"] in ("tune", "held")
        for petition in cluster["petitions"]:
            assert petition.get("category", cluster["category"]) in categories()
            assert petition["text"].strip()
            assert "m" not in petition or cluster["place"] is not None
