"""Canonical URLs: one spelling per article, so the same story found twice gets one id.

Publishers add tracking parameters, fragments, default ports and trailing slashes that do not
change the page; leaving them in would split one article into many records.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

from crawler.urls.sites import same_site
from tidings.core.sources import host_of as host_of  # the crawler uses it from here

#: Query parameters that only say how a reader arrived (never what they read).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "ref", "ref_src", "ref_url", "referrer", "_ga", "_gl",
        "ocid", "cmpid", "ncid", "sr_share", "smid", "icid", "mkt_tok", "spm",
        "at_medium", "at_campaign",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "oly_")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that identifies a campaign or click, not content."""
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def _netloc(scheme: str, host: str, port: int | None, userinfo: str) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    netloc = f"{userinfo}@{host}" if userinfo else host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    return netloc


def _clean_path(path: str) -> str:
    # Re-quote so %7E and ~ (or a raw space and %20) spell the same path.
    return quote(unquote(path), safe="/:@!$&'()*+,;=~-._")


def canonicalize(url: str, *, keep_trailing_slash: bool = False) -> str:
    """The canonical spelling of ``url`` (see module docstring); non-http URLs pass through.

    ``keep_trailing_slash`` is for request de-duplication: servers redirect ``/a`` to ``/a/``,
    and treating both as one request would drop the redirect.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return url
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = _netloc(scheme, parts.hostname.lower().rstrip("."), port, userinfo)
    path = _clean_path(parts.path) or "/"
    if not keep_trailing_slash and len(path) > 1:
        path = path.rstrip("/") or "/"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if not is_tracking_param(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query), doseq=True), ""))


def _absolute_http(value: str | None, base: str) -> str | None:
    if not value or not value.strip():
        return None
    joined = urljoin(base, value.strip())
    return joined if urlsplit(joined).scheme in DEFAULT_PORTS else None


def declared_canonical(tree: lxml_html.HtmlElement, page_url: str) -> str | None:
    """The page's own idea of its URL: ``<link rel=canonical>``, else ``og:url`` (absolute)."""
    for link in tree.iterfind(".//link[@rel][@href]"):
        if "canonical" in link.get("rel", "").lower().split():
            found = _absolute_http(link.get("href"), page_url)
            if found:
                return found
    for meta in tree.iterfind(".//meta[@content]"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url":
            found = _absolute_http(meta.get("content"), page_url)
            if found:
                return found
    return None


def canonical_url(
    tree: lxml_html.HtmlElement | None, page_url: str, own_domains: Iterable[str] = ()
) -> str:
    """Canonical URL of a fetched page: declared canonical, else the fetched URL, normalised.

    The declared one counts only on the page's own site (or the source's ``own_domains``):
    the article id is a hash of this URL, so a page naming another site's URL would otherwise
    overwrite that site's article. A syndicated copy keeps its own URL and joins the
    original's near-duplicate cluster instead.
    """
    declared = declared_canonical(tree, page_url) if tree is not None else None
    if declared and not same_site(host_of(declared), host_of(page_url), own_domains):
        declared = None
    return canonicalize(declared or page_url)
