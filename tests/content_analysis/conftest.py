"""Session fixtures of the content-analysis tests."""
from __future__ import annotations

import pytest

from engine.context import Transcript

from .inputs import SAMPLE, whisper_transcript


@pytest.fixture(scope="session")
def sample_transcript() -> Transcript:
    """The sample as Whisper hears it: about 5 s, recognition errors such as "steamometer" included."""
    return whisper_transcript(SAMPLE)
