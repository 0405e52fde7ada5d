"""Atom feeds (RFC 4287) of the board, built with feedgen: one per list (each published batch
an entry) and one per batch (each of its cases an entry). Everything in them is public and
redacted, like the pages."""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from civicloop.publication.domain.batches import Batch
from civicloop.publication.domain.board import BoardList
from civicloop.publication.presenting import (
    LIST_LABELS,
    STATE_LABELS,
    category_name,
    community_name,
)
from civicloop.publication.queries import ShownCase

MEDIA_TYPE = "application/atom+xml; charset=utf-8"
AUTHOR = {"name": "都江堰市民生服务中心"}
# A feed with nothing in it yet still needs an updated time: a fixed one keeps its ETag.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def _feed(
    feed_id: str, title: str, self_url: str, page_url: str, updated: datetime
) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.author(AUTHOR)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.language("zh-CN")
    feed.updated(updated)
    return feed


def _batch_updated(batch: Batch) -> datetime:
    return batch.corrections[-1].at if batch.corrections else batch.published_at or batch.created_at


def list_feed(board_url: str, board_list: BoardList | None, batches: list[Batch]) -> bytes:
    name = board_list.value if board_list else "all"
    label = LIST_LABELS[board_list] if board_list else "全部清单"
    updated = max((_batch_updated(b) for b in batches), default=EPOCH)
    page = f"{board_url}/cases" + (f"?list={board_list.value}" if board_list else "")
    feed = _feed(
        f"{board_url}/feeds/{name}.atom",
        f"晒单 · {label}",
        f"{board_url}/feeds/{name}.atom",
        page,
        updated,
    )
    feed.subtitle(f"都江堰市民生诉求分期分批公示：{label}")
    for batch in reversed(batches):  # feedgen prepends: oldest first comes out newest first
        entry = feed.add_entry()
        url = f"{board_url}/batches/{batch.id}"
        entry.id(f"urn:uuid:{batch.id}")
        title = batch.title + (f"（第{batch.edition}版更正）" if batch.edition > 1 else "")
        entry.title(title)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(batch.published_at or batch.created_at)
        entry.updated(_batch_updated(batch))
        summary = batch.description or f"本期公示{len(batch.case_ids)}件诉求。"
        if batch.corrections:
            summary += f" 更正说明：{batch.corrections[-1].note}"
        entry.summary(summary)
    return bytes(feed.atom_str(pretty=True))


def batch_feed(
    board_url: str, batch: Batch, cases: list[ShownCase], departments: dict[str, str]
) -> bytes:
    url = f"{board_url}/batches/{batch.id}"
    feed = _feed(
        f"urn:uuid:{batch.id}",
        f"晒单 · {batch.title}",
        f"{board_url}/feeds/batches/{batch.id}.atom",
        url,
        max([_batch_updated(batch), *(c.case.updated_at for c in cases if c.case.updated_at)]),
    )
    feed.subtitle(batch.description or f"本期公示{len(batch.case_ids)}件诉求。")
    for shown in reversed(cases):
        c = shown.case
        entry = feed.add_entry()
        entry.id(f"urn:uuid:{c.case_id}")
        entry.title(
            f"{community_name(c.community_code)} · {category_name(c.category_code)} · "
            f"{STATE_LABELS.get(c.state, c.state.value)}"
        )
        entry.link(href=f"{board_url}/cases/{c.case_id}", rel="alternate", type="text/html")
        entry.published(c.opened_at or c.updated_at)
        assert c.updated_at is not None
        entry.updated(c.updated_at)
        parts = [c.summary]
        if c.department_code:
            parts.append(f"承办单位：{departments.get(c.department_code, c.department_code)}")
        if c.result_summary:
            parts.append(f"办理结果：{c.result_summary}")
        entry.summary("；".join(p for p in parts if p))
    return bytes(feed.atom_str(pretty=True))
