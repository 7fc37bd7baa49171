"""A loopback site for link following, date windows and feed discovery (served by SiteServer).

Home page links: articles that carry no ``og:type`` (or ``og:type=website``) and no JSON-LD,
a JSON-LD article, a numeric-id article, section pages (``/technology``, ``/tag/ai``) whose
cards lead to deeper stories, and links never worth fetching (login, images, other sites).
"""

from __future__ import annotations

from crawl_site import FILLER

LONG = " ".join([FILLER] * 3)


def story(title: str, head: str = "", wrapper: str = "div", date_line: str = "") -> bytes:
    """An article page; ``wrapper`` is the element around the text (not always <article>)."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Link Times</title>{head}</head><body>
<nav><a href="/">Home</a> <a href="/technology">Technology</a> <a href="/login">Log in</a></nav>
<{wrapper} class="story"><h1>{title}</h1>{date_line}<p>{LONG}</p>
<p>{FILLER.replace("Tuesday", "Friday")}</p></{wrapper}>
<aside><a href="/tag/ai">More on AI</a></aside></body></html>""".encode()


def listing(title: str, links: list[tuple[str, str]]) -> bytes:
    """A section page: one <article> card per link, each with a short teaser."""
    cards = "".join(
        f'<article class="card"><h2><a href="{href}">{text}</a></h2><p>{FILLER[:120]}</p></article>'
        for href, text in links
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Link Times</title><meta property="og:type" content="website"></head><body>
<nav><a href="/">Home</a></nav><main><h1>{title}</h1>{cards}</main></body></html>""".encode()


def html(body: bytes) -> tuple[int, str, bytes]:
    return 200, "text/html; charset=utf-8", body


def link_site(base: str) -> dict[str, tuple[int, str, bytes]]:
    """path -> (status, content type, body)."""
    jsonld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Chip plant",'
        ' "datePublished": "2026-11-18T09:00:00Z"}</script>'
    )
    home = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link Times</title>
<meta property="og:site_name" content="Link Times"><meta property="og:type" content="website">
<link rel="alternate" type="application/rss+xml" title="Link Times" href="/feed.rss">
<link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">
</head><body><nav><a href="/technology">Technology</a> <a href="/tag/ai">AI</a>
<a href="/login">Log in</a> <a href="/about">About</a></nav>
<ul><li><a href="/2026/11/20/no-og-type-story.html">Robot lawnmowers</a></li>
<li><a href="{base}/news/og-website-story-about-batteries">Batteries</a></li>
<li><a href="/news/jsonld-chip-plant-story">Chip plant</a></li>
<li><a href="/p/8812345#comments">Numbered</a></li>
<li><a href="/logo.png">logo</a> <a href="http://other.invalid/elsewhere-story-a-b-c">x</a></li>
</ul></body></html>""".encode()
    pages = {
        "/": html(home),
        "/2026/11/20/no-og-type-story.html": html(story("Robot lawnmowers rise")),
        "/news/og-website-story-about-batteries": html(
            story("Battery prices fall", '<meta property="og:type" content="website">')
        ),
        "/news/jsonld-chip-plant-story": html(story("Chip plant opens", jsonld)),
        "/p/8812345": html(story("Numbered story", wrapper="article")),
        "/about": html(b"<html><title>About</title><body><p>We are a paper.</p></body></html>"),
        "/technology": html(
            listing(
                "Technology",
                [
                    ("/technology/deep-story-from-the-section-page", "Deep"),
                    ("/2026/11/20/no-og-type-story.html", "Robot lawnmowers"),
                    ("/p/8812345", "Numbered"),
                ],
            )
        ),
        "/tag/ai": html(listing("AI", [("/ai/another-deep-story-about-models", "Models")])),
        "/technology/deep-story-from-the-section-page": html(story("Deep section story")),
        "/ai/another-deep-story-about-models": html(story("Models everywhere")),
        "/login": html(b"<html><title>Log in</title></html>"),
        "/robots.txt": (
            200,
            "text/plain",
            f"User-agent: *\nDisallow: /rss\nSitemap: {base}/sitemap.xml\n"
            "Sitemap: /news-sitemap.xml\n".encode(),
        ),
    }
    pages.update(window_pages(base))
    return pages


def _meta_date(day: str) -> str:
    return f'<meta property="article:published_time" content="{day}T10:00:00Z">'


def window_pages(base: str) -> dict[str, tuple[int, str, bytes]]:
    """A feed, a sitemap index and pages dated inside and outside 2026-11-15 .. 2026-11-22."""
    items = [
        ("/w/feed-early", "Tue, 10 Nov 2026 10:00:00 GMT"),
        ("/w/feed-inside", "Fri, 20 Nov 2026 10:00:00 GMT"),
        ("/w/feed-late", "Sat, 28 Nov 2026 10:00:00 GMT"),
        ("/w/undated-hint-early-page", None),
        ("/w/undated-hint-inside-page", None),
        ("/w/undated-everywhere", None),
    ]
    rss_items = "".join(
        f"<item><title>{path}</title><link>{base}{path}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "")
        + "</item>"
        for path, date in items
    )
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Link Times</title>'
        f"<link>{base}/</link><description>d</description>{rss_items}</channel></rss>"
    )
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{base}/sitemap-old.xml</loc><lastmod>2026-09-01</lastmod></sitemap>
<sitemap><loc>{base}/sitemap-new.xml</loc><lastmod>2026-11-25</lastmod></sitemap>
</sitemapindex>"""
    new = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{base}/w/sitemap-stale</loc><lastmod>2026-10-01</lastmod></url>
<url><loc>{base}/w/sitemap-fresh</loc><lastmod>2026-11-25</lastmod></url>
</urlset>"""
    return {
        "/feed.rss": (200, "application/rss+xml", rss.encode()),
        "/sitemap.xml": (200, "application/xml", index.encode()),
        "/sitemap-old.xml": (200, "application/xml", new.replace("fresh", "old").encode()),
        "/sitemap-new.xml": (200, "application/xml", new.encode()),
        "/w/feed-early": html(story("Early", _meta_date("2026-11-10"))),
        "/w/feed-inside": html(story("Inside", _meta_date("2026-11-20"))),
        "/w/feed-late": html(story("Late", _meta_date("2026-11-28"))),
        "/w/undated-hint-early-page": html(story("Early page", _meta_date("2026-11-05"))),
        "/w/undated-hint-inside-page": html(story("Inside page", _meta_date("2026-11-21"))),
        "/w/undated-everywhere": html(story("No date anywhere")),
        "/w/sitemap-stale": html(story("Stale", _meta_date("2026-09-30"))),
        "/w/sitemap-fresh": html(story("Fresh", _meta_date("2026-11-19"))),
    }
