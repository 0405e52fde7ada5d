"""Which handled deliveries of one AMQP channel to acknowledge, and how (pure, no I/O).

Every ack on a quorum queue is a Raft command the broker logs and applies. A ``multiple`` ack
settles every delivery of the channel up to the tag it names in one command, so the consumer
sends one for a run of handled deliveries instead of one ack each. It may name a tag only when
every delivery up to it is handled or already settled (rejected, requeued): a ``multiple`` ack
past a delivery still in a handler would settle that delivery unhandled, and lose it.
A handled delivery above such a gap is acknowledged on its own at once, so a slow handler (one
backing off before a requeue) holds back nobody's ack and no prefetch slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AckPlan:
    """One batch of acks: at most one ``multiple`` ack, then single ones."""

    multiple_through: int | None  # ack(delivery_tag=this, multiple=True), if not None
    single: tuple[int, ...]  # ack(delivery_tag=tag) for each


@dataclass
class AckWindow:
    """The acknowledgement state of one channel. Delivery tags start at 1 and rise by 1."""

    through: int = 0  # every delivery up to this tag is settled
    _settled_above: set[int] = field(default_factory=set)  # settled tags above ``through``

    def settled_elsewhere(self, tag: int) -> None:
        """The delivery was rejected or requeued on its own: a later run may pass over it."""
        if tag > self.through:
            self._settled_above.add(tag)

    def plan(self, handled: Iterable[int]) -> AckPlan:
        """The acks for deliveries whose handlers have just succeeded."""
        tags = sorted(tag for tag in set(handled) if tag > self.through)
        self._settled_above.update(tags)
        reached = self.through
        while reached + 1 in self._settled_above:
            reached += 1
            self._settled_above.discard(reached)
        self.through = reached
        in_run = [tag for tag in tags if tag <= reached]
        return AckPlan(
            multiple_through=in_run[-1] if in_run else None,
            single=tuple(tag for tag in tags if tag > reached),
        )
