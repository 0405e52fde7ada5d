"""The evaluation corpus (services/intake/tests/eval/corpus/*.json) as the scorer's candidates,
with each petition's true cluster."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from civicloop.intake.domain.model import Location
from civicloop.intake.domain.similarity import Candidate
from civicloop.intake.domain.wording import PetitionText, segment

CORPUS_DIR = Path(__file__).resolve().parents[2] / "services/intake/tests/eval/corpus"
# Every petition's "h" counts hours from here.
BASE_TIME = datetime(2026, 11, 2, tzinfo=UTC)
# tune chose the scorer's weights and threshold; held was read while the scorer was built; fresh
# was written independently afterwards and never seen while building it; blind was written
# later still by another author, who saw neither the scorer nor the other files.
SPLITS = ("tune", "held", "fresh", "blind")
# The halves written with the scorer (the weighted mean's cross-validation reads these).
DEVELOPMENT = ("tune", "held")
# What the pair classifier is fitted on: the development halves, and the fresh split (written
# by others, as filed); blind is the held-out test and is never fitted or tuned on.
FITTED_AS_FILED = ("fresh",)
HELD_OUT = ("blind",)


@dataclass(frozen=True)
class LabelledPetition:
    petition_id: str
    cluster_id: str
    split: str
    channel: str
    community_code: str
    category_code: str
    location: Location | None
    submitted_at: datetime
    text: str
    # The corpus file it comes from: one author's petitions.
    file: str = ""

    def candidate(self) -> Candidate:
        return Candidate(
            petition_id=self.petition_id,
            case_id=f"case-{self.petition_id}",
            community_code=self.community_code,
            category_code=self.category_code,
            location=self.location,
            submitted_at=self.submitted_at,
            text=PetitionText.of(self.text, segment(self.text)),
        )


def offset(place: list[float], metres: list[float]) -> Location:
    """The place moved ``metres`` (east, north)."""
    lat, lon = place
    east, north = metres
    return Location(
        round(lat + north / 111_320, 7),
        round(lon + east / (111_320 * math.cos(math.radians(lat))), 7),
    )


def load(
    split: str | tuple[str, ...] | None = None, directory: Path = CORPUS_DIR
) -> list[LabelledPetition]:
    """Every petition of the corpus (or of one split, or of some), in file and cluster order."""
    found: list[LabelledPetition] = []
    for path in sorted(directory.glob("*.json")):
        clusters: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["clusters"]
        for cluster in clusters:
            wanted = (split,) if isinstance(split, str) else split
            if wanted and cluster["split"] not in wanted:
                continue
            for i, p in enumerate(cluster["petitions"], start=1):
                located = cluster.get("place") and "m" in p
                found.append(
                    LabelledPetition(
                        petition_id=f"{cluster['id']}#{i}",
                        cluster_id=cluster["id"],
                        split=cluster["split"],
                        channel=p["channel"],
                        community_code=p.get("community", cluster["community"]),
                        category_code=p.get("category", cluster["category"]),
                        location=offset(cluster["place"], p["m"]) if located else None,
                        submitted_at=BASE_TIME + timedelta(hours=p["h"]),
                        text=p["text"],
                        file=path.stem,
                    )
                )
    return found


def shadows(directory: Path = CORPUS_DIR) -> dict[str, str]:
    """Each cluster's group: the cluster it shadows as a hard negative (followed to the end),
    or itself."""
    parent: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")):
        for cluster in json.loads(path.read_text("utf-8"))["clusters"]:
            parent[cluster["id"]] = cluster.get("negative_of") or cluster["id"]
    root: dict[str, str] = {}
    for cluster_id in parent:
        seen, current = {cluster_id}, parent[cluster_id]
        while parent.get(current, current) != current and current not in seen:
            seen.add(current)
            current = parent[current]
        root[cluster_id] = current
    return root
