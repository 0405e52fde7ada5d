from __future__ import annotations

import base64
from importlib import resources

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field

from civicloop.ledger.printing import Font, find_cjk_font, parse_font
from civicloop.platform.settings import ServiceSettings
from civicloop.tlog.note import NoteSigner, parse_private_key, parse_verifier_key

DEFAULT_ORIGIN = "civicloop.example/ledger/v1"
# The public halves of the development keys (their private halves live in the
# civicloop-devsigning distribution, never in an image): production refuses them by value.
DEV_LOG_VKEY = "civicloop.example/ledger/v1+13826991+AZgxqSm0VtIMuyPB/rBHOAcQW3btkK2sa+ZANL94Lxlc"
DEV_WITNESS_VKEYS = {
    "civil-affairs": "civicloop.example/witness/civil-affairs+a6806721+"
    "BIH5j8Bq7d1gmOQSu84pBpY+LgsvChasRm0Eq8jlY+hX",
    "finance": "civicloop.example/witness/finance+12c4392f+"
    "BF4Kd9cL2P1M8wcY3KbgWtE1px2C6IkE458xabm0hooL",
}
DEV_ISSUER_PUBLIC_KEY = base64.b64decode("Duer/4NlbGZh8zL8wotAfghStyExKn+g+f7ORx3jq1w=")
DEV_PUBLIC_KEYS = frozenset(
    [
        DEV_ISSUER_PUBLIC_KEY,
        *(parse_verifier_key(v).public_key for v in (DEV_LOG_VKEY, *DEV_WITNESS_VKEYS.values())),
    ]
)


def _development_key_text(file_name: str) -> str:
    try:
        return resources.files("civicloop.devsigning").joinpath(file_name).read_text()
    except ModuleNotFoundError:
        raise RuntimeError(
            "no signing key configured and the development keys are not installed "
            "(make setup installs them; images never hold them)"
        ) from None


def development_key(file_name: str) -> NoteSigner:
    """A development key from civicloop-devsigning (installed by `make setup`, never in images)."""
    return parse_private_key(_development_key_text(file_name))


def is_development_key(signer: NoteSigner) -> bool:
    """Compared by the public key, whatever name the key is given."""
    return signer.verifier.public_key in DEV_PUBLIC_KEYS


class LedgerSettings(ServiceSettings):
    service_name: str = "ledger"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/ledger"
    http_port: int = 8005
    grpc_port: int = 50055
    # The log's origin line (c2sp.org/tlog-checkpoint): names the log, never reused by another.
    ledger_origin: str = DEFAULT_ORIGIN
    # The log's Ed25519 note key, "PRIVATE+KEY+<name>+<id>+<key>" (a secret); empty means the
    # development key.
    ledger_signing_key: str = ""
    # A new checkpoint is signed this often when the tree has grown, seconds.
    ledger_checkpoint_seconds: float = Field(default=5.0, gt=0, le=3600)
    # How often the sequencer looks for appends another replica staged, seconds (appends to
    # this replica wake it at once).
    ledger_integrate_seconds: float = Field(default=0.2, gt=0, le=60)
    # Appends integrated in one transaction at most.
    ledger_batch_size: int = Field(default=2000, ge=1, le=50_000)
    # How long AppendEvidence waits for its leaf index before answering UNAVAILABLE, seconds.
    ledger_append_wait_seconds: float = Field(default=10.0, gt=0, le=60)
    # The public prefix of the HTTP layout (checkpoint, tile/, keys, evidence/).
    ledger_public_prefix: str = "/ledger"
    # Witnesses asked to cosign each checkpoint: "<add-checkpoint URL> <vkey>" entries,
    # separated by commas.
    ledger_witnesses: str = ""
    # Public RPCs per client address per minute.
    ledger_limit_per_address_minute: int = Field(default=600, ge=1)
    # Hits of an address's window leased from the shared counter at most at once: a busy
    # address costs one Redis round trip per this many calls (1: a round trip per call).
    ledger_limit_lease: int = Field(default=32, ge=1, le=1000)
    # The issuer of the subsidy credentials: its did:web, and its Ed25519 key (base64 of the
    # 32-byte seed, a secret; empty means the development key).
    ledger_issuer_did: str = "did:web:civicloop.example"
    ledger_issuer_key: str = ""
    # Where the public layout is reached from outside (the status list URL in credentials).
    ledger_public_base_url: str = "http://127.0.0.1:8005"
    ledger_witness_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    # The font with Chinese glyphs embedded in printed credentials: a path ('#<n>' picks a
    # font of a collection); empty: the first one fontconfig knows; "none": English headings
    # in the PDF core font.
    ledger_pdf_font: str = ""

    def issuer_key(self) -> Ed25519PrivateKey:
        text = self.ledger_issuer_key or _development_key_text("dev-issuer-key.txt")
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text.strip()))

    def pdf_font(self) -> Font | None:
        if self.ledger_pdf_font == "none":
            return None
        if self.ledger_pdf_font:
            font = parse_font(self.ledger_pdf_font)
            if not font.path.is_file():
                raise RuntimeError(f"LEDGER_PDF_FONT: no font file {font.path}")
            return font
        return find_cjk_font()

    def log_signer(self) -> NoteSigner:
        if self.ledger_signing_key:
            return parse_private_key(self.ledger_signing_key)
        return development_key("dev-log-key.txt")
