"""The bundled demo news site, "Circuit Daily": the product's demo and the crawl test fixture.

``tidings demo`` crawls it, and the crawler's end-to-end tests run against it, because a site
served over real HTTP on loopback exercises what unit tests cannot (feeds, sitemaps, charsets,
conditional GET, a broken page, syndicated copies) without depending on the network. Three
other outlets on it report some of the same events in their own words, so the demo's stories
gather several sources.

- ``articles.toml`` / :mod:`tidings.demo.articles`: the stories and where each is listed;
- :mod:`tidings.demo.build_site`: renders them into the static files under ``site/``;
- :mod:`tidings.demo.server`: :func:`~tidings.demo.server.serve_demo_site` serves ``site/``.

``README.md`` here lists the special pages and the expected crawl results.
"""
