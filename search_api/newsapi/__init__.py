"""NewsAPI-compatible endpoints (``/v2/everything``, ``/v2/top-headlines``, their sources).

Existing NewsAPI clients switch to Tidings by changing their base URL; README "Switch from
NewsAPI" says what maps to what. The blueprint is :data:`search_api.newsapi.views.bp`.
"""
