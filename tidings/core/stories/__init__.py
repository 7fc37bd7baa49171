"""Stories: the articles of many outlets about one real-world event, grouped as they arrive.

Near-duplicate clusters (:mod:`tidings.core.fingerprint`) group copies of one text; a story
groups different texts about one event and its follow-ups, so copies nest inside stories.
Grouping is online (:mod:`.clustering`): each new article joins the most similar story among a
few candidates found through a term sketch (:mod:`.candidates`) or starts one, so the cost per
article does not grow with the corpus, and re-clustering a stored corpus in arrival order gives
the same stories as the ingest path did.
"""

from tidings.core.stories.clustering import Assignment, StoryClusterer, StoryParams
from tidings.core.stories.features import StoryFeatures, features_of

__all__ = ["Assignment", "StoryClusterer", "StoryFeatures", "StoryParams", "features_of"]
