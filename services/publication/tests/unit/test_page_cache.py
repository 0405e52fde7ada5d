"""The board's page cache: one render for many readers, and a stale page served while it is
rendered again."""

from __future__ import annotations

import asyncio

from civicloop.publication.board import PageCache, Rendered, rendered


async def test_readers_arriving_together_share_one_render() -> None:
    cache, renders, gate = PageCache(60), [], asyncio.Event()

    async def render() -> Rendered:
        renders.append(1)
        await gate.wait()
        return rendered(b"page", "text/html")

    readers = [asyncio.ensure_future(cache.get("/cases", render)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    pages = await asyncio.gather(*readers)
    assert len(renders) == 1 and {p.body for p in pages} == {b"page"}


async def test_a_stale_page_is_served_while_it_is_rendered_again() -> None:
    cache, version = PageCache(0.001), [0]

    async def render() -> Rendered:
        version[0] += 1
        return rendered(f"v{version[0]}".encode(), "text/html")

    assert (await cache.get("/", render)).body == b"v1"
    await asyncio.sleep(0.01)
    assert (await cache.get("/", render)).body == b"v1"  # stale, a refresh started
    await asyncio.sleep(0.01)
    assert (await cache.get("/", render)).body == b"v2"


async def test_with_no_cache_every_reader_gets_a_fresh_render() -> None:
    cache, count = PageCache(0), [0]

    async def render() -> Rendered:
        count[0] += 1
        return rendered(str(count[0]).encode(), "text/html")

    assert (await cache.get("/", render)).body == b"1"
    assert (await cache.get("/", render)).body == b"2"
