"""``tidings demo``: the whole product in one command, on the embedded store.

Starts the bundled demo news site on loopback, crawls it with Scrapy (feeds and sitemaps), tags
topics and entities, stores and indexes the articles, then serves the web app until Ctrl-C or
``kill`` (:func:`tidings.cli.serve_commands.serve_app` takes SIGINT and SIGTERM back from the
crawl's handlers).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from tidings.cli.common import check_index, open_tagger, port, settings_from
from tidings.cli.errors import UsageError
from tidings.core.sources import Source, adhoc_sources
from tidings.core.store import open_store

DEMO_SITE_PORT = 8001


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo", help="crawl the bundled demo news site, then serve search on it"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to serve the web app on")
    p.add_argument("--port", type=port, default=8000, help="port of the web app (default 8000)")
    p.add_argument(
        "--site-port",
        type=port,
        default=DEMO_SITE_PORT,
        help="port of the demo news site (default 8001; a fixed port keeps article URLs, "
        "and so their ids, the same from one demo run to the next)",
    )
    p.add_argument("--no-serve", action="store_true", help="stop after the crawl")
    p.set_defaults(func=cmd_demo)


def demo_sources(base_url: str) -> list[Source]:
    """Circuit Daily (its feeds and sitemaps) and each other outlet (its own feed.rss): several
    sources, so the demo's stories gather several outlets' reports of one event."""
    from tidings.demo.articles import CIRCUIT_DAILY, OUTLETS

    (main,) = adhoc_sources(
        feeds=[f"{base_url}/feed.rss", f"{base_url}/feed.atom"],
        sitemaps=[f"{base_url}/sitemap.xml"],
    )
    return [
        replace(main, id=CIRCUIT_DAILY, name=OUTLETS[CIRCUIT_DAILY].name),
        *(
            replace(main, id=o.id, name=o.name, feeds=(f"{base_url}/{o.id}/feed.rss",), sitemaps=())
            for o in OUTLETS.values()
            if o.id != CIRCUIT_DAILY
        ),
    ]


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.run.crawl import run_crawl
    from tidings.cli.data_commands import rebuild_index
    from tidings.cli.serve_commands import listen, serve_app, web_app
    from tidings.core.index import IndexSchemaError
    from tidings.core.sources import host_of
    from tidings.demo.server import serve_demo_site

    settings = settings_from(args)
    settings.home.mkdir(parents=True, exist_ok=True)
    try:
        check_index(settings)
    except IndexSchemaError:  # a demo home of an older version: its index is derived data
        rebuild_index(settings)
    try:
        site = serve_demo_site(port=args.site_port)
    except OSError as exc:
        raise UsageError(f"cannot start the demo site on port {args.site_port}: {exc}") from None
    listening = None
    try:
        print(f"demo news site: {site.base_url}/", file=sys.stderr)
        # built first, so a bad setting of the web app stops the demo before it crawls; the
        # demo site is on loopback: sources added through the demo's API may name it
        app = None if args.no_serve else web_app(settings, {host_of(site.base_url)})
        # bound before the crawl too: a port in use stops the demo now, not after the crawl
        listening = None if app is None else listen(args.host, args.port)
        sources = demo_sources(site.base_url)
        # WARNING keeps the demo's terminal readable: per-source errors (the broken page) show.
        report = run_crawl(settings, sources, tagger=open_tagger(settings), log_level="WARNING")
        print(f"crawled the demo site: {report.summary()}", file=sys.stderr)
        if app is None:
            return 0
        with open_store(settings) as store:
            stored = store.count()

        def ready(url: str) -> None:
            print(
                f"\nTidings is serving {stored} demo articles.\n"
                f"  analyst page: {url}\n"
                f"  stories:      {url}stories\n"
                f"  search API:   {url}api/v1/search?q=revenue\n"
                f"  RSS feed:     {url}feeds/recent.rss\n"
                "Press Ctrl-C to stop.",
                file=sys.stderr,
                flush=True,
            )

        serve_app(app, args.host, args.port, on_ready=ready, sock=listening)
    finally:
        if listening is not None:
            listening.close()  # serve_app's server holds its own copy of the descriptor
        site.stop()
    return 0
