"""The raw chain under dispatch: consume from a quorum queue, commit one row, publish with a
confirm to another quorum queue, acknowledge. No routing, outbox, inbox or tracing.

Run by the bench as
``python -m scripts.bench.programs.bare_chain AMQP_URL DSN SOURCE TARGET PREFETCH``.
"""

import asyncio
import sys

import aio_pika
import asyncpg
import uvloop
from aio_pika.abc import AbstractIncomingMessage


async def relay_forever(amqp_url: str, dsn: str, source: str, target: str, prefetch: int) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=20)
    await pool.execute("CREATE TABLE IF NOT EXISTS bare_chain (id text PRIMARY KEY)")
    # Publishing and consuming on connections of their own, as the services do.
    publishing = await aio_pika.connect(amqp_url)
    consuming = await aio_pika.connect(amqp_url)
    outbound = await publishing.channel(publisher_confirms=True)
    inbound = await consuming.channel()
    await inbound.set_qos(prefetch_count=prefetch)

    async def relay(message: AbstractIncomingMessage) -> None:
        await pool.execute(
            "INSERT INTO bare_chain (id) VALUES ($1) ON CONFLICT DO NOTHING", message.message_id
        )
        await outbound.default_exchange.publish(
            aio_pika.Message(
                message.body,
                headers=message.headers,
                message_id=message.message_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            ),
            routing_key=target,
            mandatory=True,
        )
        await message.ack()

    await (await inbound.get_queue(source)).consume(relay)
    await asyncio.Event().wait()


if __name__ == "__main__":
    amqp_url, dsn, source, target, prefetch = sys.argv[1:6]
    uvloop.run(relay_forever(amqp_url, dsn, source, target, int(prefetch)))
