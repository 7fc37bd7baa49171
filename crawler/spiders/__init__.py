"""The spider that walks feeds and sitemaps to article pages, and the parsers it uses."""
