"""Asking the departments' witnesses to cosign each new checkpoint (c2sp.org/tlog-witness).

Each witness gets the checkpoint with a consistency proof from the size it last cosigned; a
witness that says it is elsewhere (409 with its size) is asked once more from there. A
cosignature is kept only if it verifies under the witness's pinned key. A witness that is
down or refuses is logged and asked again with the next checkpoint: the log does not wait.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import httpx

from civicloop.ledger.store import repository as repo
from civicloop.ledger.store.repository import StoredCheckpoint
from civicloop.tlog.errors import MalformedError, SignatureError, TlogError
from civicloop.tlog.note import Note, VerifierKey, open_note, parse_note, parse_verifier_key
from civicloop.tlog.tree import consistency_plan
from civicloop.tlog.witness import format_add_checkpoint

log = logging.getLogger(__name__)

SIZE_MEDIA_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Witness:
    url: str
    key: VerifierKey


def parse_witnesses(text: str) -> list[Witness]:
    """``<add-checkpoint URL> <vkey>`` entries separated by commas (LEDGER_WITNESSES)."""
    found: list[Witness] = []
    for number, item in enumerate(filter(None, (i.strip() for i in text.split(","))), 1):
        url, _, vkey = item.partition(" ")
        if not url.startswith(("http://", "https://")):
            raise MalformedError(f"LEDGER_WITNESSES entry {number}: '<URL> <vkey>'")
        key = parse_verifier_key(vkey.strip())
        if not key.is_cosigner:
            raise MalformedError(f"LEDGER_WITNESSES entry {number}: a witness key has type 0x04")
        found.append(Witness(url, key))
    return found


class WitnessClient:
    def __init__(self, pool: asyncpg.Pool, witnesses: Sequence[Witness], timeout: float) -> None:
        self.pool = pool
        self.witnesses = list(witnesses)
        self.timeout = timeout

    async def _proof(self, old_size: int, new_size: int) -> list[bytes]:
        if not 0 < old_size < new_size:
            return []
        plan = consistency_plan(old_size, new_size)
        return plan.assemble(await repo.read_subtrees(self.pool, plan.subtrees))

    async def cosign(self, checkpoint: StoredCheckpoint) -> bool:
        """Ask every witness that has not cosigned ``checkpoint``; whether one added its
        cosignature (the checkpoint as served changed)."""
        if not self.witnesses:
            return False
        note = parse_note(checkpoint.note)
        added = False
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            for witness in self.witnesses:
                try:
                    added |= await self._ask(client, witness, checkpoint, note)
                except (httpx.HTTPError, TlogError) as exc:
                    log.warning(
                        "witness %s did not cosign size %d: %s",
                        witness.key.name,
                        checkpoint.tree_size,
                        exc,
                    )
        return added

    async def _ask(
        self,
        client: httpx.AsyncClient,
        witness: Witness,
        checkpoint: StoredCheckpoint,
        note: Note,
    ) -> bool:
        old_size = await repo.witnessed_size(self.pool, witness.key.name)
        if old_size == checkpoint.tree_size and any(
            line.startswith(f"\u2014 {witness.key.name} ") for line in checkpoint.cosignature_lines
        ):
            return False  # already cosigned
        for _ in range(2):
            if old_size > checkpoint.tree_size:
                raise MalformedError(f"the witness is at size {old_size}, ahead of the log")
            body = format_add_checkpoint(
                old_size, await self._proof(old_size, checkpoint.tree_size), note
            )
            answer = await client.post(witness.url, content=body.encode())
            if answer.status_code == 409 and answer.headers.get("content-type", "").startswith(
                SIZE_MEDIA_TYPE
            ):
                old_size = int(answer.text.strip())
                continue
            if answer.status_code != 200:
                raise MalformedError(f"HTTP {answer.status_code}: {answer.text.strip()[:200]}")
            cosigned = parse_note(note.text + "\n" + answer.text)
            verified = open_note(cosigned, [witness.key])
            signature = verified.by(witness.key)
            if signature is None:
                raise SignatureError("the answer carries no cosignature by the witness's key")
            line = signature.signature.line()
            await repo.add_cosignature(self.pool, checkpoint.tree_size, witness.key.name, line)
            return True
        raise MalformedError("the witness moved twice while asked")
