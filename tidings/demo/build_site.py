"""Render the demo news site ("Circuit Daily") from ``articles.toml`` into ``site/``.

The site is generated, not hand-written, so pages, feeds and sitemaps always agree; the output
is committed because the server only serves static files. Absolute URLs are written with the
``__BASE_URL__`` placeholder, which the server swaps for its real loopback address. Output is
deterministic (no clock, no randomness): ``tests/test_demo_site.py`` rebuilds into a temporary
directory and compares it byte for byte with the committed ``site/``.

Run ``python -m tidings.demo.build_site`` after editing ``articles.toml``.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import struct
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from tidings.demo.articles import (
    CIRCUIT_DAILY,
    OUTLETS,
    DemoArticle,
    Outlet,
    events,
    load_articles,
    same_kind_events,
)

BASE = "__BASE_URL__"
SITE_DIR = Path(__file__).with_name("site")
SITE_NAME = "Circuit Daily"
IMAGE_SIZE = (64, 34)  # tiny solid-colour stand-ins for lead images (og:image)
TAG_AUTHORITY = "tag:circuitdaily.example,2026"
SECTIONS: dict[str, str] = {
    "tech": "Technology",
    "business": "Business",
    "security": "Security",
    "policy": "Policy",
    "science": "Science",
    "world": "World",
    "culture": "Culture",
    "sport": "Sport",
    "opinion": "Opinion",
    "briefs": "Morning Briefing",
    "wire": "Wire",
    "partner": "Partners",
}
SECTION_COLOURS: dict[str, tuple[int, int, int]] = {
    "tech": (36, 99, 235),
    "business": (22, 101, 52),
    "security": (153, 27, 27),
    "policy": (109, 40, 217),
    "science": (14, 116, 144),
    "world": (180, 83, 9),
    "culture": (190, 24, 93),
    "sport": (21, 128, 61),
    "opinion": (71, 85, 105),
    "briefs": (30, 64, 175),
    "wire": (55, 65, 81),
    "partner": (120, 53, 15),
    "logo": (17, 24, 39),
    # the other outlets' lead images
    "meridian-ledger": (133, 77, 14),
    "lakeside-courier": (3, 105, 161),
    "brightwater-tribune": (88, 28, 135),
}
COMMENTS: tuple[tuple[str, str], ...] = (
    ("mkovacs", "Good overview. I would like to see the figures for the previous two periods "
     "next to these ones."),
    ("harbourlight", "The quote in the fourth paragraph says more than the whole press release."),
    ("dev_null_and_void", "Interesting, but I will wait for independent confirmation before "
     "getting excited."),
    ("Rosa P.", "Thanks for explaining the background instead of assuming everyone follows "
     "this closely."),
    ("old_sysadmin", "Same story every few years. The details change, the pattern does not."),
    ("QuietObserver", "Is there a public document behind this? A link would help."),
    ("tlaine", "Not convinced by the analyst's take, but the reporting is solid."),
    ("k.iwata", "This will matter more for smaller companies than the article suggests."),
    ("lowlatency", "Curious how this looks a year from now."),
    ("Marguerite D.", "Shared this with my team, we were discussing exactly this last week."),
    ("byte_farmer", "The headline undersells it a bit, in my opinion."),
    ("nils_h", "Clear and fair piece. More of this, please."),
)
BRIEFING_NOTE = (
    "Morning Briefing is Circuit Daily's short read for the start of the working day: one story "
    "explained in a few minutes, with the context you need and nothing you do not. It is written "
    "by our reporters in Europe, Africa, Asia and the Americas and edited overnight by the "
    "briefing desk. Sign up to receive it by email before breakfast, reply to any edition to "
    "tell us what we missed, and find every past briefing in the archive."
)


def _e(text: str) -> str:
    """Escape text for element content (quotes stay as typed, as most CMSs write them)."""
    return html.escape(text, quote=False)


def _a(text: str) -> str:
    """Escape text for a double-quoted attribute value."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def _url(a: DemoArticle) -> str:
    return f"{BASE}{a.url_path}"


def _image(section: str) -> str:
    return f"{BASE}/img/{section}.png"


def _crc(text: str) -> int:
    """A stable small hash (Python's hash() is salted per process)."""
    return zlib.crc32(text.encode("utf-8"))


def _utc_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _offset_label(dt: datetime) -> str:
    offset = dt.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def _display_date(dt: datetime, style: str) -> str:
    """Human-readable date in the page's own offset; each layout writes it its own way."""
    if style == "feature":
        return f"{dt.day} {dt:%B %Y}"
    if style == "wire":
        return f"{dt:%b} {dt.day}, {dt.year} {dt:%H:%M} {_offset_label(dt)}"
    return f"{dt:%B} {dt.day}, {dt.year} at {dt:%H:%M} ({_offset_label(dt)})"


def _authors_text(authors: Iterable[str]) -> str:
    names = list(authors)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _author_links(authors: Iterable[str]) -> str:
    return " and ".join(
        f'<a rel="author" class="author" href="/about.html#{_slug(n)}">{_e(n)}</a>'
        for n in authors
    )


# ------------------------------------------------------------------------------ JSON-LD


def _news_article_ld(a: DemoArticle, *, utc_dates: bool = False) -> dict[str, object]:
    """The schema.org NewsArticle object of a page (dates only where the page has them)."""
    ld: dict[str, object] = {
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.summary,
        "url": _url(a),
        "mainEntityOfPage": {"@type": "WebPage", "@id": _url(a)},
        "image": [_image(a.section)],
        "author": [
            {"@type": "Person", "name": n, "url": f"{BASE}/about.html#{_slug(n)}"}
            for n in a.authors
        ],
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": f"{BASE}/img/logo.png"},
        },
        "articleSection": SECTIONS[a.section],
        "keywords": list(a.tags),
        "inLanguage": "en",
        "isAccessibleForFree": True,
    }
    pub, mod = a.published_dt, a.modified_dt
    if a.page_has_date and pub is not None:
        ld["datePublished"] = _utc_z(pub) if utc_dates else pub.isoformat()
        if mod is not None:
            ld["dateModified"] = _utc_z(mod) if utc_dates else mod.isoformat()
    if a.layout == "partner":
        ld["sourceOrganization"] = {"@type": "Organization", "name": "Harbor Post"}
    return ld


def _ld_script(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def _json_ld(a: DemoArticle) -> str:
    """JSON-LD in three shapes (object, @graph, list) so parsers meet all of them."""
    ctx = "https://schema.org"
    if a.layout == "feature":
        article = _news_article_ld(a)
        return _ld_script(
            {
                "@context": ctx,
                "@graph": [
                    {"@type": "WebPage", "@id": _url(a), "name": a.title},
                    article,
                    {"@type": "Organization", "name": SITE_NAME, "url": f"{BASE}/"},
                ],
            }
        )
    if a.layout in ("wire", "partner"):
        crumbs = {
            "@context": ctx,
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{BASE}/"},
                {
                    "@type": "ListItem",
                    "position": 2,
                    "name": SECTIONS[a.section],
                    "item": f"{BASE}/{a.section}/",
                },
            ],
        }
        return _ld_script([{"@context": ctx, **_news_article_ld(a, utc_dates=True)}, crumbs])
    return _ld_script({"@context": ctx, **_news_article_ld(a)})


# ------------------------------------------------------------------------------ page parts


def _head(a: DemoArticle) -> str:
    """<head> of an article page: charset, canonical, OpenGraph, feeds, JSON-LD."""
    meta = [
        f'<meta charset="{a.encoding}">',
        f"<title>{_e(a.title)} | {SITE_NAME}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="description" content="{_a(a.summary)}">',
        f'<link rel="canonical" href="{_url(a)}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{_a(a.title)}">',
        f'<meta property="og:description" content="{_a(a.summary)}">',
        f'<meta property="og:url" content="{_url(a)}">',
        f'<meta property="og:image" content="{_image(a.section)}">',
        f'<meta property="og:image:width" content="{IMAGE_SIZE[0]}">',
        f'<meta property="og:image:height" content="{IMAGE_SIZE[1]}">',
    ]
    pub, mod = a.published_dt, a.modified_dt
    if a.page_has_date and pub is not None:
        meta.append(f'<meta property="article:published_time" content="{pub.isoformat()}">')
        if mod is not None:
            meta.append(f'<meta property="article:modified_time" content="{mod.isoformat()}">')
    meta.append(f'<meta property="article:section" content="{_a(SECTIONS[a.section])}">')
    meta.extend(f'<meta property="article:tag" content="{_a(t)}">' for t in a.tags)
    meta.append(f'<meta name="author" content="{_a(_authors_text(a.authors))}">')
    if a.layout == "feature":
        meta += [
            '<meta name="twitter:card" content="summary_large_image">',
            f'<meta name="twitter:title" content="{_a(a.title)}">',
            f'<meta name="twitter:image" content="{_image(a.section)}">',
        ]
    meta += [
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} (RSS)" '
        f'href="{BASE}/feed.rss">',
        f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} (Atom)" '
        f'href="{BASE}/feed.atom">',
        '<link rel="stylesheet" href="/static/site.css">',
        '<link rel="icon" href="/img/logo.png">',
    ]
    # Feature pages put JSON-LD at the end of <body>; the others keep it in <head>.
    if a.layout != "feature":
        meta.append(_json_ld(a))
    meta.append(
        "<script>window.cdq=window.cdq||[];"
        f'cdq.push(["pageview",{json.dumps(a.section)}]);</script>'
    )
    return "<head>\n" + "\n".join(meta) + "\n</head>"


ACTIVE = ' class="active"'


def _nav(active: str) -> str:
    items = "".join(
        f'<li{ACTIVE if key == active else ""}><a href="/{key}/">{_e(label)}</a></li>'
        for key, label in SECTIONS.items()
        if key != "partner"
    )
    return f'<nav class="primary-nav" aria-label="Sections"><ul>{items}</ul></nav>'


def _masthead(active: str) -> str:
    return (
        '<a class="skip-link" href="#main">Skip to content</a>\n'
        '<div class="ad-slot ad-leaderboard" data-ad-unit="/circuit/top" aria-hidden="true">'
        '<span class="ad-label">Advertisement</span></div>\n'
        '<header class="masthead">\n'
        f'<a class="logo" href="/"><img src="/img/logo.png" alt="" width="24" height="24"> '
        f"{SITE_NAME}</a>\n"
        f"{_nav(active)}\n"
        '<form class="site-search" action="/search" method="get" role="search">'
        '<input type="search" name="q" placeholder="Search Circuit Daily">'
        '<button type="submit">Search</button></form>\n'
        "</header>"
    )


def _site_footer() -> str:
    sections = " &middot; ".join(
        f'<a href="/{key}/">{_e(label)}</a>' for key, label in SECTIONS.items()
    )
    return (
        '<footer class="site-footer">\n'
        f'<p class="footer-sections">{sections}</p>\n'
        '<p class="footer-links"><a href="/about.html">About us</a> &middot; '
        '<a href="/about.html#contact">Contact</a> &middot; '
        '<a href="/feed.rss">RSS</a> &middot; <a href="/feed.atom">Atom</a> &middot; '
        '<a href="/sitemap.xml">Sitemap</a></p>\n'
        '<p class="disclaimer">Circuit Daily is the demo news site bundled with Tidings. '
        "Every story on it is fictional.</p>\n"
        f"<p>&copy; {SITE_NAME} Media. All rights reserved.</p>\n"
        "</footer>"
    )


def _related_candidates(a: DemoArticle, articles: list[DemoArticle]) -> list[DemoArticle]:
    """Other linkable, served stories; same section first, then by distance in the list."""
    index = articles.index(a)
    pool = [b for b in articles if b is not a and b.linkable and b.served]
    return sorted(
        pool,
        key=lambda b: (b.section != a.section, abs(articles.index(b) - index), b.path),
    )


def _related(a: DemoArticle, articles: list[DemoArticle]) -> list[DemoArticle]:
    if a.layout == "brief":
        # Both briefs show one identical box: shared boilerplate by design.
        pool = [b for b in articles if b.linkable and b.served and b.layout != "brief"]
        return pool[:5]
    return _related_candidates(a, articles)[:4]


def _related_list(items: list[DemoArticle], css: str) -> str:
    lis = "\n".join(f'<li><a href="{b.url_path}">{_e(b.title)}</a></li>' for b in items)
    return f'<ul class="{css}">\n{lis}\n</ul>'


def _comments(a: DemoArticle) -> list[tuple[str, str, int]]:
    """Two or three comments per page, picked deterministically; (author, text, hours ago)."""
    seed = _crc(a.path)
    count = 2 + seed % 2
    picks = []
    for i in range(count):
        author, text = COMMENTS[(seed // 7 + i * 5) % len(COMMENTS)]
        picks.append((author, text, 1 + (seed >> (4 + i)) % 9))
    return picks


def _paragraphs(a: DemoArticle, ad_after: int = 2) -> str:
    out = []
    for i, para in enumerate(a.paragraphs):
        out.append(f"<p>{_e(para)}</p>")
        if i + 1 == ad_after:
            out.append(
                '<div class="ad-slot ad-inarticle" data-ad-unit="/circuit/mid" '
                'aria-hidden="true"><span class="ad-label">Advertisement</span></div>'
            )
    return "\n".join(out)


def _time_tag(dt: datetime, style: str, css: str) -> str:
    return f'<time class="{css}" datetime="{dt.isoformat()}">{_display_date(dt, style)}</time>'


# ------------------------------------------------------------------------------ layouts


def _standard(a: DemoArticle, articles: list[DemoArticle]) -> str:
    """Standard layout (tech, business, security, briefs): <article> with sidebar."""
    pub, mod = a.published_dt, a.modified_dt
    dates = ""
    if a.page_has_date and pub is not None:
        dates = f' <span class="sep">|</span> {_time_tag(pub, "standard", "published")}'
        if mod is not None:
            updated = _time_tag(mod, "standard", "modified")
            dates += f' <span class="updated">Updated {updated}</span>'
    tags = "".join(f'<li><a href="/{a.section}/">{_e(t)}</a></li>' for t in a.tags)
    briefing_note = ""
    newsletter = (
        '<aside class="newsletter"><h2>Get the Circuit Daily newsletter</h2>'
        "<p>The day's technology news, every weekday morning.</p>"
        '<form action="/newsletter" method="post"><input type="email" name="email" '
        'placeholder="you@example.com"><button>Sign up</button></form></aside>'
    )
    if a.layout == "brief":
        briefing_note = f'<p class="briefing-note"><em>{_e(BRIEFING_NOTE)}</em></p>\n'
        newsletter = (
            '<aside class="newsletter briefing-signup"><h2>Morning Briefing</h2>'
            "<p>One story, explained before breakfast. Free, every weekday, in your inbox.</p>"
            '<form action="/newsletter/briefing" method="post"><input type="email" name="email" '
            'placeholder="you@example.com"><button>Sign up</button></form>'
            '<ul class="briefing-archive"><li><a href="/briefs/">All briefings</a></li>'
            '<li><a href="/about.html#briefing">About the briefing desk</a></li></ul></aside>'
        )
    label = _e(SECTIONS[a.section])
    w, h = IMAGE_SIZE
    comments = "\n".join(
        f'<div class="comment"><p class="comment-author">{_e(who)}</p>'
        f'<p class="comment-meta">posted {hours} hours ago</p>'
        f'<p class="comment-text">{_e(text)}</p></div>'
        for who, text, hours in _comments(a)
    )
    return f"""<body class="layout-standard section-{a.section}">
{_masthead(a.section)}
<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/{a.section}/">{label}</a></div>
<main id="main" class="page">
<article class="story">
<header class="story-header">
<p class="kicker"><a href="/{a.section}/">{_e(SECTIONS[a.section])}</a></p>
<h1 class="headline">{_e(a.title)}</h1>
<p class="standfirst">{_e(a.summary)}</p>
<div class="byline">By {_author_links(a.authors)}{dates}</div>
<div class="share">Share: <a href="https://x.com/intent/post?url={_url(a)}">X</a>
<a href="https://www.linkedin.com/sharing/share-offsite/?url={_url(a)}">LinkedIn</a>
<a href="mailto:?subject={_a(a.title)}&amp;body={_url(a)}">Email</a></div>
</header>
<figure class="lead-image"><img src="/img/{a.section}.png" alt="" width="{w}" height="{h}">
<figcaption>Illustration: {SITE_NAME}</figcaption></figure>
<div class="story-body">
{_paragraphs(a)}
{briefing_note}</div>
<footer class="story-footer"><ul class="tags">{tags}</ul></footer>
</article>
<div class="sidebar">
<aside class="related" aria-labelledby="related-h"><h2 id="related-h">Related stories</h2>
{_related_list(_related(a, articles), "related-links")}
</aside>
<div class="ad-slot ad-sidebar" data-ad-unit="/circuit/side" aria-hidden="true">
<span class="ad-label">Advertisement</span></div>
{newsletter}
</div>
<section class="comments" id="comments"><h2>Comments ({len(_comments(a))})</h2>
{comments}
<p class="comment-policy">Comments are moderated. Be kind.</p>
</section>
</main>
{_site_footer()}
</body>"""


def _feature(a: DemoArticle, articles: list[DemoArticle]) -> str:
    """Feature layout (policy, science, world, culture, opinion): hero header, no sidebar."""
    pub, mod = a.published_dt, a.modified_dt
    if a.page_has_date and pub is not None:
        when = _time_tag(pub, "feature", "date")
        if mod is not None:
            when += f' <span class="revised">(revised {_time_tag(mod, "feature", "date")})</span>'
    else:
        when = '<span class="column-label">Column</span>'
    comments = "\n".join(
        f'<li class="comment"><strong>{_e(who)}</strong> <span class="ago">{hours}h</span>'
        f"<blockquote>{_e(text)}</blockquote></li>"
        for who, text, hours in _comments(a)
    )
    return f"""<body class="layout-feature section-{a.section}">
{_masthead(a.section)}
<main id="main" class="feature">
<header class="hero" style="--hero-image:url(/img/{a.section}.png)">
<div class="hero-inner">
<span class="section-label">{_e(SECTIONS[a.section])}</span>
<h1>{_e(a.title)}</h1>
<p class="dek">{_e(a.summary)}</p>
</div>
</header>
<div class="meta-bar"><span class="authors">By {_author_links(a.authors)}</span>
<span class="when">{when}</span></div>
<section class="feature-body">
{_paragraphs(a, ad_after=3)}
</section>
<section class="more-on-topic"><h2>More on this topic</h2>
{_related_list(_related(a, articles), "topic-links")}
</section>
<div class="ad-slot ad-billboard" data-ad-unit="/circuit/bottom" aria-hidden="true">
<span class="ad-label">Advertisement</span></div>
<section class="reader-comments" id="comments"><h2>Reader comments</h2>
<ol class="comment-list">
{comments}
</ol>
</section>
</main>
{_site_footer()}
{_json_ld(a)}
</body>"""


def _wire(a: DemoArticle, articles: list[DemoArticle]) -> str:
    """Wire layout (wire, sport) and its partner variant: old-style div soup."""
    pub = a.published_dt
    when = ""
    if a.page_has_date and pub is not None:
        when = f" &middot; {_time_tag(pub, 'wire', 'wire-time')}"
    partner = a.layout == "partner"
    top = (
        '<div class="hp-header"><span class="hp-logo">Harbor Post</span> '
        "<span>Partner content on Circuit Daily</span></div>"
        if partner
        else '<div id="topbar"><a href="/">Circuit Daily</a> &rsaquo; '
        f'<a href="/{a.section}/">{_e(SECTIONS[a.section])}</a></div>'
    )
    byline = _author_links(a.authors) + (", Harbor Post" if partner else "")
    origin = (
        '<p class="hp-origin">This article first appeared in the Harbor Post and is '
        "republished under a content partnership. Harbor Post is not responsible for "
        "comments below.</p>"
        if partner
        else '<p class="wire-credit">Copyright Circuit Wire. Distributed to partner '
        "publications under licence.</p>"
    )
    comments = "\n".join(
        f'<div class="dq-post"><span class="dq-user">{_e(who)}</span>'
        f'<span class="dq-age">{hours} hours ago</span><div class="dq-msg">{_e(text)}</div></div>'
        for who, text, hours in _comments(a)
    )
    wrap = "hp-article" if partner else "wire-story"
    return f"""<body class="layout-wire section-{a.section}">
<div id="wrapper">
{top}
{_nav(a.section)}
<div id="ad-top" class="ad-slot" aria-hidden="true">Advertisement</div>
<div id="content">
<div class="{wrap}" id="main">
<div class="wire-head"><h1 class="wire-headline">{_e(a.title)}</h1></div>
<div class="wire-meta"><span class="wire-byline">By {byline}</span>{when}</div>
<div class="wire-text">
{_paragraphs(a, ad_after=4)}
</div>
{origin}
</div>
<div id="ad-rail" class="ad-slot" aria-hidden="true">Advertisement</div>
<div class="more-wire"><h3>More from the wire</h3>
{_related_list(_related(a, articles), "wire-links")}
</div>
<div id="dq_thread" class="comments-thread"><h3>Discussion</h3>
{comments}
</div>
</div>
{_site_footer()}
</div>
</body>"""


def _outlet_ld(a: DemoArticle, outlet: Outlet) -> str:
    """Another outlet's NewsArticle: the outlet is the publisher, dates in the local offset."""
    pub = a.published_dt
    assert pub is not None
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.summary,
        "url": _url(a),
        "image": [_image(a.outlet)],
        "author": [{"@type": "Person", "name": n} for n in a.authors],
        "publisher": {"@type": "Organization", "name": outlet.name, "url": f"{BASE}/{a.outlet}/"},
        "keywords": list(a.tags),
        "datePublished": pub.isoformat(),
    }
    if a.modified_dt is not None:
        ld["dateModified"] = a.modified_dt.isoformat()
    return _ld_script(ld)


def render_outlet_article(a: DemoArticle, articles: list[DemoArticle]) -> str:
    """A page of another outlet: its own masthead, byline, a list of its other stories."""
    outlet = OUTLETS[a.outlet]
    pub = a.published_dt
    assert pub is not None
    others = [b for b in _newest_first(articles) if b.outlet == a.outlet and b is not a][:4]
    paragraphs = "\n".join(f"<p>{_e(p)}</p>" for p in a.paragraphs)
    modified = (
        f'\n<meta property="article:modified_time" content="{a.modified_dt.isoformat()}">'
        if a.modified_dt
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{_e(a.title)} - {_e(outlet.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{_a(a.summary)}">
<link rel="canonical" href="{_url(a)}">
<meta property="og:site_name" content="{_a(outlet.name)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{_a(a.title)}">
<meta property="og:url" content="{_url(a)}">
<meta property="og:image" content="{_image(a.outlet)}">
<meta property="article:published_time" content="{pub.isoformat()}">{modified}
<meta name="author" content="{_a(_authors_text(a.authors))}">
<link rel="alternate" type="application/rss+xml" title="{_a(outlet.name)}"
 href="{BASE}/{a.outlet}/feed.rss">
{_outlet_ld(a, outlet)}
</head>
<body class="layout-outlet outlet-{a.outlet}">
<header class="outlet-masthead"><p class="outlet-name">{_e(outlet.name)}</p>
<p class="outlet-tagline">{_e(outlet.description)}</p></header>
<main id="main" class="page">
<article class="outlet-story">
<h1>{_e(a.title)}</h1>
<p class="standfirst">{_e(a.summary)}</p>
<p class="byline">By <span class="author">{_e(_authors_text(a.authors))}</span> &middot;
{_time_tag(pub, "standard", "published")}</p>
{paragraphs}
</article>
<aside class="more-from"><h2>More from {_e(outlet.name)}</h2>
{_related_list(others, "outlet-links")}
</aside>
</main>
<footer class="site-footer"><p>&copy; {_e(outlet.name)}. A fictional outlet of the Tidings
demo site; every story on it is invented.</p></footer>
</body>
</html>
"""


LAYOUT_RENDERERS = {
    "standard": _standard,
    "brief": _standard,
    "feature": _feature,
    "wire": _wire,
    "partner": _wire,
}


def render_article(a: DemoArticle, articles: list[DemoArticle]) -> bytes:
    """The bytes of one article page, in the page's own character encoding."""
    if a.layout == "outlet":
        return render_outlet_article(a, articles).encode(a.encoding)
    body = LAYOUT_RENDERERS[a.layout](a, articles)
    page = f'<!DOCTYPE html>\n<html lang="en">\n{_head(a)}\n{body}\n</html>\n'
    return page.encode(a.encoding)  # strict: a latin-1 page must not hold other characters


# ------------------------------------------------------------------------------ other pages


def _plain_page(title: str, active: str, path: str, content: str) -> bytes:
    feeds = (
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} (RSS)" '
        f'href="{BASE}/feed.rss">\n'
        f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} (Atom)" '
        f'href="{BASE}/feed.atom">'
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{_e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{BASE}/{path}">
{feeds}
<link rel="stylesheet" href="/static/site.css">
</head>
<body class="layout-index">
{_masthead(active)}
<main id="main" class="page">
{content}
</main>
{_site_footer()}
</body>
</html>
"""
    return page.encode("utf-8")


def _teasers(items: list[DemoArticle]) -> str:
    if not items:
        return "<p>More stories coming soon.</p>"
    return "\n".join(
        f'<article class="teaser"><p class="teaser-section">{_e(SECTIONS[b.section])}</p>'
        f'<h2><a href="{b.url_path}">{_e(b.title)}</a></h2><p>{_e(b.summary)}</p></article>'
        for b in items
    )


def _newest_first(items: Iterable[DemoArticle]) -> list[DemoArticle]:
    return sorted(items, key=lambda b: (b.published_utc or datetime.min.replace(tzinfo=UTC),
                                        b.path), reverse=True)


def render_home(articles: list[DemoArticle]) -> bytes:
    """Home page: section links and the linkable (feed) stories, newest first, undated."""
    linkable = _newest_first(b for b in articles if b.linkable)
    sections = "".join(
        f'<li><a href="/{key}/">{_e(label)}</a></li>' for key, label in SECTIONS.items()
    )
    ld = _ld_script(
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": SITE_NAME,
            "url": f"{BASE}/",
        }
    )
    content = (
        f"<h1>{SITE_NAME}</h1>\n<p class=\"tagline\">Technology, business and policy news, "
        "written for the Tidings demo.</p>\n"
        f'<section class="section-index"><h2>Sections</h2><ul>{sections}</ul></section>\n'
        f'<section class="top-stories"><h2>Top stories</h2>\n{_teasers(linkable)}\n</section>\n'
        f"{ld}"
    )
    return _plain_page(f"{SITE_NAME}: technology news", "home", "", content)


def render_section(key: str, articles: list[DemoArticle]) -> bytes:
    """A section front: the section's linkable stories, newest first."""
    items = _newest_first(b for b in articles if b.section == key and b.linkable)
    content = f"<h1>{_e(SECTIONS[key])}</h1>\n{_teasers(items)}"
    return _plain_page(f"{SECTIONS[key]} | {SITE_NAME}", key, f"{key}/", content)


def render_about(articles: list[DemoArticle]) -> bytes:
    """About page with the staff list that bylines link to."""
    names = sorted({n for a in articles for n in a.authors})
    staff = "\n".join(f'<li id="{_slug(n)}">{_e(n)}</li>' for n in names)
    content = (
        "<h1>About Circuit Daily</h1>\n"
        "<p>Circuit Daily is a fictional technology news site. It exists to give the Tidings "
        "crawler, extractor and classifier a realistic site to work on, served from loopback. "
        "Its stories, companies, people and quotes are invented.</p>\n"
        '<h2 id="briefing">Morning Briefing</h2>\n<p>The briefing desk edits one short story '
        "every weekday.</p>\n"
        f'<h2 id="staff">Staff and contributors</h2>\n<ul class="staff">\n{staff}\n</ul>\n'
        '<h2 id="contact">Contact</h2>\n<p>Write to the newsroom at news@circuitdaily.example.'
        "</p>"
    )
    return _plain_page(f"About | {SITE_NAME}", "about", "about.html", content)


# ------------------------------------------------------------------------------ feeds, sitemaps


def _x(text: str) -> str:
    return xml_escape(text, {'"': "&quot;"})


def render_rss(articles: list[DemoArticle], outlet: str = CIRCUIT_DAILY) -> bytes:
    """RSS 2.0 with pubDate, guid, dc:creator, category and description: Circuit Daily's
    ``/feed.rss``, or another outlet's ``/<outlet>/feed.rss``."""
    items = _newest_first(a for a in articles if a.rss and a.outlet == outlet)
    build = format_datetime(max(a.published_utc for a in items), usegmt=True)  # type: ignore[type-var]
    home = "" if outlet == CIRCUIT_DAILY else f"{outlet}/"
    title = f"{SITE_NAME}: top stories" if outlet == CIRCUIT_DAILY else OUTLETS[outlet].name
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{_x(title)}</title>",
        f"<link>{BASE}/{home}</link>",
        f"<description>{_x(OUTLETS[outlet].description)} from {_x(OUTLETS[outlet].name)} "
        "(fictional demo site).</description>",
        "<language>en</language>",
        f"<lastBuildDate>{build}</lastBuildDate>",
        "<ttl>15</ttl>",
        f'<atom:link href="{BASE}/{home}feed.rss" rel="self" type="application/rss+xml"/>',
    ]
    for a in items:
        pub = a.published_utc
        assert pub is not None
        # Wire stories use opaque guids; everything else uses the permalink.
        guid = (
            f'<guid isPermaLink="false">{TAG_AUTHORITY}:{a.path}</guid>'
            if a.layout == "wire"
            else f'<guid isPermaLink="true">{_url(a)}</guid>'
        )
        out += [
            "<item>",
            f"<title>{_x(a.title)}</title>",
            f"<link>{_url(a)}</link>",
            guid,
            f"<pubDate>{format_datetime(pub)}</pubDate>",
            *(f"<dc:creator>{_x(n)}</dc:creator>" for n in a.authors),
            f"<category>{_x(SECTIONS.get(a.section) or a.tags[0])}</category>",
            f"<description>{_x(a.summary)}</description>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode("utf-8")


def render_atom(articles: list[DemoArticle]) -> bytes:
    """Atom 1.0 with published, updated, authors and summary per entry."""
    items = _newest_first(a for a in articles if a.atom)
    updated = max((a.modified_dt or a.published_dt) for a in items)  # type: ignore[type-var]
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
        f"<id>{TAG_AUTHORITY}:feed</id>",
        f"<title>{SITE_NAME}</title>",
        "<subtitle>Technology, business and policy news (fictional demo site)</subtitle>",
        f"<updated>{_utc_z(updated)}</updated>",
        f'<link rel="self" type="application/atom+xml" href="{BASE}/feed.atom"/>',
        f'<link rel="alternate" type="text/html" href="{BASE}/"/>',
        f"<author><name>{SITE_NAME}</name></author>",
    ]
    for a in items:
        pub = a.published_dt
        assert pub is not None
        out += [
            "<entry>",
            f"<id>{TAG_AUTHORITY}:{a.path}</id>",
            f"<title>{_x(a.title)}</title>",
            f'<link rel="alternate" type="text/html" href="{_url(a)}"/>',
            f"<published>{_utc_z(pub)}</published>",
            f"<updated>{_utc_z(a.modified_dt or pub)}</updated>",
            *(f"<author><name>{_x(n)}</name></author>" for n in a.authors),
            f'<category term="{_x(a.section)}" label="{_x(SECTIONS[a.section])}"/>',
            f"<summary>{_x(a.summary)}</summary>",
            "</entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out).encode("utf-8")


def _lastmod(a: DemoArticle) -> datetime | None:
    if not a.lastmod or not a.page_has_date:
        return None
    return a.modified_dt or a.published_dt


def render_sitemap_articles(articles: list[DemoArticle]) -> bytes:
    """Plain sitemap of article pages, with <lastmod> (left out for the undated page)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for a in _newest_first(a for a in articles if a.sitemap):
        mod = _lastmod(a)
        out.append(
            f"<url><loc>{_url(a)}</loc>"
            + (f"<lastmod>{_utc_z(mod)}</lastmod>" if mod else "")
            + "</url>"
        )
    out += ["</urlset>", ""]
    return "\n".join(out).encode("utf-8")


def render_sitemap_news(articles: list[DemoArticle]) -> bytes:
    """Google News sitemap: publication, publication_date (page offset) and title."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
    ]
    for a in _newest_first(a for a in articles if a.news):
        pub = a.published_dt
        assert pub is not None
        out += [
            "<url>",
            f"<loc>{_url(a)}</loc>",
            "<news:news>",
            "<news:publication><news:name>Circuit Daily</news:name>"
            "<news:language>en</news:language></news:publication>",
            f"<news:publication_date>{pub.isoformat()}</news:publication_date>",
            f"<news:title>{_x(a.title)}</news:title>",
            "</news:news>",
            "</url>",
        ]
    out += ["</urlset>", ""]
    return "\n".join(out).encode("utf-8")


def render_sitemap_index(articles: list[DemoArticle]) -> bytes:
    """Sitemap index pointing at the article and news sitemaps."""
    def newest(items: Iterable[DemoArticle]) -> str:
        return _utc_z(max(m for m in (_lastmod(a) for a in items) if m is not None))

    entries = [
        ("sitemap-articles.xml", newest(a for a in articles if a.sitemap)),
        ("sitemap-news.xml", newest(a for a in articles if a.news)),
    ]
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        *(
            f"<sitemap><loc>{BASE}/{name}</loc><lastmod>{mod}</lastmod></sitemap>"
            for name, mod in entries
        ),
        "</sitemapindex>",
        "",
    ]
    return "\n".join(out).encode("utf-8")


def render_robots() -> bytes:
    """robots.txt: everything allowed, sitemap index announced."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {BASE}/sitemap.xml\n".encode()


# ------------------------------------------------------------------------------ assets


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, stored uncompressed so the bytes never depend on the zlib build."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
        )

    # zlib stream made by hand with stored (uncompressed) deflate blocks.
    blocks = bytearray(b"\x78\x01")
    for start in range(0, len(raw), 65535):
        part = raw[start : start + 65535]
        final = 1 if start + 65535 >= len(raw) else 0
        blocks += bytes([final]) + struct.pack("<HH", len(part), len(part) ^ 0xFFFF) + part
    blocks += struct.pack(">I", zlib.adler32(raw) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", bytes(blocks))
        + chunk(b"IEND", b"")
    )


CSS = """/* Circuit Daily demo site */
body { font-family: Georgia, serif; margin: 0; color: #111827; background: #fff; }
.masthead, #topbar, .hp-header { display: flex; gap: 1rem; align-items: center;
  padding: .75rem 1.5rem; border-bottom: 1px solid #e5e7eb; }
.logo { font-weight: bold; font-size: 1.4rem; text-decoration: none; color: inherit; }
.primary-nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .75rem; margin: 0;
  padding: 0; }
.primary-nav .active a { font-weight: bold; }
.page, .feature, #content { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem; }
.layout-standard .page { display: grid; grid-template-columns: 1fr 18rem; gap: 2rem; }
.hero { background: #111827 var(--hero-image) center / cover; color: #fff; padding: 3rem 1.5rem; }
.ad-slot { background: #f3f4f6; color: #9ca3af; text-align: center; font: 12px sans-serif;
  padding: 1.5rem; margin: 1rem 0; }
.comments, .reader-comments, #dq_thread { border-top: 2px solid #111827; margin-top: 2rem; }
.site-footer { border-top: 1px solid #e5e7eb; padding: 1.5rem; font-size: .9rem; }
.skip-link { position: absolute; left: -999px; }
"""


def render_site() -> dict[str, bytes]:
    """Every file of the site, keyed by path relative to the site root."""
    everyone = list(load_articles())
    articles = [a for a in everyone if a.outlet == CIRCUIT_DAILY]  # the rest: only their feed
    files: dict[str, bytes] = {}
    for a in everyone:
        if a.served:
            files[a.path] = render_article(a, articles if a.outlet == CIRCUIT_DAILY else everyone)
    for outlet in OUTLETS:
        if outlet != CIRCUIT_DAILY:
            files[f"{outlet}/feed.rss"] = render_rss(everyone, outlet)
    files["index.html"] = render_home(articles)
    for key in SECTIONS:
        files[f"{key}/index.html"] = render_section(key, articles)
    files["about.html"] = render_about(articles)
    files["feed.rss"] = render_rss(articles)
    files["feed.atom"] = render_atom(articles)
    files["sitemap.xml"] = render_sitemap_index(articles)
    files["sitemap-articles.xml"] = render_sitemap_articles(articles)
    files["sitemap-news.xml"] = render_sitemap_news(articles)
    files["robots.txt"] = render_robots()
    files["static/site.css"] = CSS.encode("utf-8")
    for name, colour in SECTION_COLOURS.items():
        files[f"img/{name}.png"] = png(*IMAGE_SIZE, colour) if name != "logo" else png(
            24, 24, colour
        )
    return files


# ------------------------------------------------------------------------------ README tables

README = Path(__file__).with_name("README.md")
README_BEGIN = "<!-- BEGIN GENERATED (python -m tidings.demo.build_site) -->"
README_END = "<!-- END GENERATED -->"


def _shingles(text: str) -> set[str]:
    words = "".join(c.lower() if c.isalnum() else " " for c in text).split()
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def body_jaccard(a: DemoArticle, b: DemoArticle) -> float:
    """Exact Jaccard similarity of two bodies' 3-word shingle sets (what MinHash estimates)."""
    x, y = _shingles(" ".join(a.paragraphs)), _shingles(" ".join(b.paragraphs))
    return len(x & y) / len(x | y)


def _listed(a: DemoArticle) -> str:
    where = [name for name, on in (("rss", a.rss), ("atom", a.atom)) if on]
    if a.sitemap:
        where.append("sitemap" if a.lastmod and a.page_has_date else "sitemap (no lastmod)")
    if a.news:
        where.append("news")
    return ", ".join(where) or "nowhere"


def _utc(a: DemoArticle) -> str:
    pub = a.published_utc
    return _utc_z(pub) if pub else "none"


def render_readme_tables(everyone: list[DemoArticle]) -> str:
    """The exact, generated part of README.md: counts and per-article tables."""
    articles = [a for a in everyone if a.outlet == CIRCUIT_DAILY]
    served = [a for a in articles if a.served]
    sitemap_only = [a for a in articles if a.sitemap_only]
    feed_only = [a for a in articles if a.in_feed and not a.sitemap]
    lines = [
        "### Counts",
        "",
        "| what | count |",
        "|---|---|",
        f"| article URLs (incl. the HTTP 500 one) | {len(articles)} |",
        f"| article pages served with 200 | {len(served)} |",
        f"| in feed.rss | {sum(a.rss for a in articles)} |",
        f"| in feed.atom | {sum(a.atom for a in articles)} |",
        f"| in at least one feed | {sum(a.in_feed for a in articles)} |",
        f"| in both feeds | {sum(a.rss and a.atom for a in articles)} |",
        f"| in sitemap-articles.xml | {sum(a.sitemap for a in articles)} |",
        f"| in sitemap-news.xml | {sum(a.news for a in articles)} |",
        f"| in a feed and a sitemap | {sum(a.in_feed and a.sitemap for a in articles)} |",
        f"| sitemap-only (in no feed, linked from no page) | {len(sitemap_only)} |",
        f"| feed-only (in no sitemap) | {len(feed_only)} |",
        f"| distinct stories among served pages (syndicated copies counted once) | "
        f"{len(served) - len([a for a in articles if (a.special or '').endswith('-copy')])} |",
        "",
        "### Special pages",
        "",
        "| path | special | title | published (UTC) | listed in |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{a.url_path}` | {a.special} | {a.title} | {_utc(a)} | {_listed(a)} |"
        for a in articles
        if a.special
    ]
    lines += ["", "### Sitemap-only articles", ""]
    lines += [f"- `{a.url_path}` ({_utc(a)})" for a in sitemap_only]
    lines += ["", "### Syndicated pairs (body 3-word-shingle Jaccard, exact)", ""]
    pairs = [
        (o, c)
        for tag in ("a", "b")
        for o in articles
        if o.special == f"syndicated-{tag}-original"
        for c in articles
        if c.special == f"syndicated-{tag}-copy"
    ]
    lines += [
        f"- `{o.url_path}` and `{c.url_path}`: {body_jaccard(o, c):.2f}" for o, c in pairs
    ]
    briefs = [a for a in articles if a.special == "shared-boilerplate"]
    if len(briefs) == 2:
        lines.append(
            f"- not a pair: `{briefs[0].url_path}` and `{briefs[1].url_path}`: "
            f"{body_jaccard(*briefs):.2f}"
        )
    lines += [
        "",
        "### All articles",
        "",
        "| path | title | published (UTC) | updated (UTC) | listed in |",
        "|---|---|---|---|---|",
    ]
    for a in articles:
        mod = a.modified_dt
        updated = _utc_z(mod) if mod and a.page_has_date else ""
        lines.append(f"| `{a.url_path}` | {a.title} | {_utc(a)} | {updated} | {_listed(a)} |")
    return "\n".join(lines + _outlet_tables(everyone))


def _outlet_tables(everyone: list[DemoArticle]) -> list[str]:
    """The other outlets' articles, and the events several outlets report."""
    lines = [
        "",
        "### Other outlets (each only in its own `/<outlet>/feed.rss`)",
        "",
        "| outlet | path | title | published (UTC) | event |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {OUTLETS[a.outlet].name} | `{a.url_path}` | {a.title} | {_utc(a)} | {a.event or ''} |"
        for a in everyone
        if a.outlet != CIRCUIT_DAILY
    ]
    lines += [
        "",
        "### Events reported by several outlets (each must be one story)",
        "",
        "| event | articles | outlets |",
        "|---|---|---|",
    ]
    for event, members in events().items():
        names = ", ".join(sorted({OUTLETS[a.outlet].name for a in members}))
        lines.append(f"| {event} | {len(members)} | {names} |")
    lines += ["", "Same kind, different events (must be two stories):", ""]
    lines += [f"- {first} and {second}" for first, second in same_kind_events()]
    return lines


def readme_with_tables(text: str, articles: list[DemoArticle]) -> str:
    """README text with its generated block replaced by fresh tables."""
    head, sep, rest = text.partition(README_BEGIN)
    _, sep2, tail = rest.partition(README_END)
    if not sep or not sep2:
        raise ValueError("README.md lacks the generated-block markers")
    return f"{head}{README_BEGIN}\n{render_readme_tables(articles)}\n{README_END}{tail}"


def build(out_dir: Path = SITE_DIR) -> list[Path]:
    """Write the site into ``out_dir``, replacing an earlier build there; returns the files."""
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / "robots.txt").exists():
            raise SystemExit(f"{out_dir} is not empty and holds no earlier build; not touching it")
        shutil.rmtree(out_dir)
    written = []
    for rel, data in sorted(render_site().items()):
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: rebuild the committed site (or another directory)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE_DIR, help="output directory")
    args = parser.parse_args(argv)
    files = build(args.out)
    print(f"wrote {len(files)} files to {args.out}")
    if args.out == SITE_DIR:
        text = README.read_text(encoding="utf-8")
        README.write_text(readme_with_tables(text, list(load_articles())), encoding="utf-8")
        print(f"updated the generated tables in {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
