"""A story record's ``dump()`` no longer deep-copies it (``asdict`` was most of a batch's
story-record write): what it gives, and so what is stored and indexed, must stay what
``asdict`` gave, field for field and in order."""

from __future__ import annotations

import json
from dataclasses import asdict

from story_corpus import as_records, background, corpus

from tidings.core.article import normalise
from tidings.core.stories.record import StoryRecord


def test_dump_is_the_fields_as_asdict_gave_them() -> None:
    story = StoryRecord("s1")
    for n, record in enumerate(normalise(r) for r in as_records(background() + corpus())):
        record["entities"] = [{"key": f"e{n % 3}", "text": f"E{n % 3}", "label": "ORG"}]
        story.add(record, title_fit=n / 10)
        dumped = story.dump()
        assert json.dumps(dumped) == json.dumps(asdict(story))  # same keys, order and values
        assert StoryRecord.load(json.loads(json.dumps(dumped))) == story
