"""The news site host of the multi-host test: two publishers on one address, run as a script.

``python news_site.py HOST HERALD_ARTICLES COURIER_ARTICLES`` serves the Herald on port 8001 and
the Courier on 8002. Each has robots.txt, a sitemap of every article and a feed of its newest
50. Every tenth Herald story is syndicated: the Courier runs it too, with its own first
sentence (a near-duplicate copy that must join the Herald's cluster). Stories are seeded
random prose, so distinct stories share no text. ``GET /_hits`` answers how often each article
page was fetched; ``GET /_grow?n=N`` publishes N more Herald stories (syndicated as above).
"""

from __future__ import annotations

import json
import random
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORTS = {"herald": 8001, "courier": 8002}
SYNDICATE_EVERY = 10
FEED_SIZE = 50
WORDS = [
    "council",
    "river",
    "bridge",
    "market",
    "tram",
    "library",
    "harbour",
    "school",
    "park",
    "station",
    "mayor",
    "budget",
    "vote",
    "plan",
    "residents",
    "minister",
    "report",
    "court",
    "police",
    "hospital",
    "doctors",
    "nurses",
    "teachers",
    "strike",
    "union",
    "wages",
    "prices",
    "energy",
    "storm",
    "flood",
    "rain",
    "farmers",
    "harvest",
    "exports",
    "factory",
    "workers",
    "jobs",
    "bank",
    "rates",
    "loans",
    "housing",
    "rents",
    "tenants",
    "landlord",
    "museum",
    "festival",
    "music",
    "theatre",
    "film",
    "team",
    "match",
    "season",
    "coach",
    "league",
    "fans",
    "stadium",
    "airport",
    "flights",
    "rail",
    "road",
    "traffic",
    "cyclists",
    "election",
    "party",
    "leader",
    "campaign",
    "poll",
    "voters",
    "debate",
    "law",
    "judge",
    "trial",
    "jury",
    "appeal",
    "ruling",
]


def prose(seed: int, sentences: int = 14) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(9, 14))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def published(i: int) -> datetime:
    return datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=i)


class Site:
    def __init__(self, host: str, herald: int, courier: int) -> None:
        self.host = host
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.herald = herald
        self.courier_own = courier

    def base(self, paper: str) -> str:
        return f"http://{self.host}:{PORTS[paper]}"

    def stories(self, paper: str) -> list[tuple[str, int, str]]:
        """(path, seed, title) of every story the paper runs, oldest first."""
        if paper == "herald":
            return [(f"/news/h{i}.html", i, f"Herald story {i}") for i in range(self.herald)]
        syndicated = [
            (f"/wire/h{i}.html", i, f"Herald story {i}")
            for i in range(0, self.herald, SYNDICATE_EVERY)
        ]
        own = [
            (f"/local/c{j}.html", 100_000 + j, f"Courier story {j}")
            for j in range(self.courier_own)
        ]
        return syndicated + own

    def page(self, paper: str, path: str) -> bytes | None:
        found = [(seed, title) for p, seed, title in self.stories(paper) if p == path]
        if not found:
            return None
        seed, title = found[0]
        body = prose(seed)
        if paper == "courier" and path.startswith("/wire/"):
            body[0] = "The Courier carries this report from the Herald wire service today."
        date = published(seed % 100_000).isoformat()
        meta = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                           "headline": title, "datePublished": date})  # fmt: skip
        paragraphs = "".join(f"<p>{' '.join(body[k : k + 3])}</p>" for k in range(0, len(body), 3))
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<script type="application/ld+json">{meta}</script></head><body>'
            f'<nav><a href="/">Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>'
            f"<footer>{paper.capitalize()}, all rights reserved.</footer></body></html>"
        ).encode()

    def listing(self, paper: str, path: str) -> tuple[str, bytes] | None:
        base, stories = self.base(paper), self.stories(paper)
        if path == "/robots.txt":
            return "text/plain", b"User-agent: *\nAllow: /\n"
        if path == "/sitemap.xml":
            ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p, _, _ in stories)
            return "application/xml", f'<?xml version="1.0"?><urlset {ns}>{urls}</urlset>'.encode()
        if path == "/feed.rss":
            items = "".join(
                f"<item><title>{t}</title><link>{base}{p}</link></item>"
                for p, _, t in stories[-FEED_SIZE:]
            )
            rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{paper}</title>{items}'
            return "application/rss+xml", f"{rss}</channel></rss>".encode()
        return None

    def handler(self, paper: str) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                url = urlsplit(self.path)
                if url.path == "/_hits":
                    with site.lock:
                        return self.reply(200, "application/json", json.dumps(site.hits).encode())
                if url.path == "/_grow":
                    with site.lock:
                        site.herald += int(parse_qs(url.query)["n"][0])
                    return self.reply(200, "text/plain", b"ok")
                listed = site.listing(paper, url.path)
                if listed is not None:
                    return self.reply(200, *listed)
                body = site.page(paper, url.path)
                if body is None:
                    return self.reply(404, "text/plain", b"not found")
                with site.lock:
                    site.hits[f"{site.base(paper)}{url.path}"] += 1
                return self.reply(200, "text/html; charset=utf-8", body)

            def reply(self, status: int, ctype: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def main() -> None:
    host, herald, courier = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    site = Site(host, herald, courier)
    servers = []
    for paper, port in PORTS.items():
        server = ThreadingHTTPServer((host, port), site.handler(paper))
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
