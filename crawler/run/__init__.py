"""The run machinery of one crawl: Scrapy settings, the process, its schedule and date window,
the worker pool, Redis distribution, and the live progress line."""
