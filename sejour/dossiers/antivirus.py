"""A client of ClamAV's daemon (clamd) over its local socket.

The PyPI clients (clamd, pyclamd) have not been released for years, and the protocol is a
few lines: `zINSTREAM\\0`, chunks each after their length in four big-endian bytes, a zero
length to end; clamd answers `stream: OK` or `stream: <signature> FOUND`.
"""

import logging
import socket
import struct
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sejour.core.errors import DomainError

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
_REPLY_MAX_BYTES = 4096


class ScannerUnavailable(DomainError):
    """The antivirus could not give an answer: not configured, unreachable, or in error."""

    default_message = _("Files cannot be checked for viruses at the moment. Try again later.")


@dataclass(frozen=True)
class ScanResult:
    status: Literal["clean", "infected"]
    signature: str | None = None


def is_configured() -> bool:
    """Whether a clamd socket is set; without one, files are stored unscanned."""
    return bool(settings.SEJOUR_CLAMAV_SOCKET)


def ping() -> bool:
    """Whether clamd answers, for readiness probes."""
    try:
        return _exchange(b"zPING\0") == "PONG"
    except ScannerUnavailable:
        return False


def scan(content: bytes) -> ScanResult:
    """Scan bytes with clamd; raise ScannerUnavailable when it gives no verdict."""
    reply = _exchange(b"zINSTREAM\0", content)
    if reply == "stream: OK":
        return ScanResult(status="clean")
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return ScanResult(status="infected", signature=reply.removeprefix("stream: ")[:-6])
    logger.error("clamd could not scan a file", extra={"clamd_reply": reply})
    raise ScannerUnavailable()


def _exchange(command: bytes, content: bytes | None = None) -> str:
    """Send one command (and a stream) on a new connection; return clamd's reply."""
    path = settings.SEJOUR_CLAMAV_SOCKET
    if not path:
        raise ScannerUnavailable()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(settings.SEJOUR_CLAMAV_TIMEOUT)
            connection.connect(path)
            connection.sendall(command)
            if content is not None:
                view = memoryview(content)
                for start in range(0, len(view), CHUNK_SIZE):
                    chunk = view[start : start + CHUNK_SIZE]
                    connection.sendall(struct.pack(">I", len(chunk)) + chunk)
                connection.sendall(struct.pack(">I", 0))
            reply = _read_reply(connection)
    except OSError as exc:
        logger.warning("clamd cannot be reached", extra={"clamd_socket": path}, exc_info=True)
        raise ScannerUnavailable() from exc
    return reply


def _read_reply(connection: socket.socket) -> str:
    """Read up to the NUL that ends a reply to a `z` command."""
    received = b""
    while b"\0" not in received and len(received) < _REPLY_MAX_BYTES:
        part = connection.recv(_REPLY_MAX_BYTES)
        if not part:
            break
        received += part
    return received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
