"""Reading what the verifier checks: local files and directories, or the ledger's HTTP prefix."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from civicloop.verify.checks import NotServed, Read, Unreachable

TIMEOUT_SECONDS = 15.0
MAX_BYTES = 16 * 1024 * 1024


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def read_location(location: str) -> bytes:
    """A whole file, or the body of a GET of a URL."""
    if is_url(location):
        request = urllib.request.Request(location, headers={"Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body: bytes = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotServed(f"{location}: not found (HTTP 404)") from exc
            raise Unreachable(f"{location}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise Unreachable(f"{location}: {exc}") from exc
        if len(body) > MAX_BYTES:
            raise Unreachable(f"{location}: larger than {MAX_BYTES} bytes")
        return body
    path = Path(location)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise NotServed(f"{location}: no such file") from exc
    except OSError as exc:
        raise Unreachable(f"{location}: {exc.strerror}") from exc


def log_reader(prefix: str) -> Read:
    """A reader of the log's public files under a URL prefix or a local directory."""
    base = prefix.rstrip("/") + "/"

    def read(path: str) -> bytes:
        return read_location(base + path)

    return read
