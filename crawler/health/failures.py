"""Name what went wrong with a request, so errors can be counted and queried by kind.

Kinds: http, timeout, dns, connection, too-large, robots, offsite, redirect, ignored, download,
plus parse, binary and not-article (raised by our own callbacks, not by the downloader).
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

_TIMEOUTS = (
    DownloadTimeoutError,
    tx_error.TimeoutError,
    tx_error.TCPTimedOutError,
    defer.TimeoutError,
)
_DNS = (CannotResolveHostError, tx_error.DNSLookupError)
_CONNECTION = (
    DownloadConnectionRefusedError,
    tx_error.ConnectError,
    tx_error.ConnectionLost,
    tx_error.ConnectionDone,
    ResponseDataLossError,
    DownloadFailedError,
)


@dataclass(frozen=True)
class CrawlError:
    """A failed URL, passed through the item pipeline to be recorded in the store."""

    source_id: str
    url: str
    kind: str
    message: str


def classify(exc: BaseException) -> tuple[str, str]:
    """(kind, message) for an exception from the downloader or a spider middleware."""
    if isinstance(exc, HttpError):
        status = exc.response.status
        return "http", f"HTTP {status}"
    if isinstance(exc, _TIMEOUTS):
        return "timeout", str(exc) or "download timed out"
    if isinstance(exc, _DNS):
        return "dns", str(exc) or "cannot resolve host"
    if isinstance(exc, DownloadCancelledError):
        text = str(exc)
        return ("too-large" if "size" in text.lower() else "download"), text or "cancelled"
    if isinstance(exc, _CONNECTION):
        return "connection", str(exc) or type(exc).__name__
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots", text
        if "redirect" in text.lower():
            return "redirect", text
        return ("offsite" if "offsite" in text.lower() else "ignored"), text or "ignored"
    return "download", f"{type(exc).__name__}: {exc}"


def classify_failure(failure: Failure) -> tuple[str, str]:
    """:func:`classify` for a Twisted failure given to an errback."""
    return classify(failure.value)
