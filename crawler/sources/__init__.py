"""Where sources come from besides the sources file: OPML subscription lists and auto-discovery.

The sources model itself (parse, validate, write) is :mod:`tidings.core.sources`.
"""
