"""Build a Timeline from kept source frame ranges: one video and one audio clip per kept part."""
from __future__ import annotations

from fractions import Fraction

from ..context import MediaInfo
from ..timeline import Clip, Decision, MediaRef, Timeline, Track

SOURCE_ID = "source"


def source_frames(media: MediaInfo) -> int:
    if media.video is not None:
        return media.video.frame_count
    return max(1, round(media.duration_s * float(timeline_rate(media))))


def timeline_rate(media: MediaInfo) -> Fraction:
    # Audio-only input still gets a frame grid, so cuts and captions share one clock.
    return media.video.rate if media.video is not None else Fraction(30)


def build_timeline(media: MediaInfo, kept: list[tuple[int, int]], decisions: list[Decision]) -> Timeline:
    rate = timeline_rate(media)
    source = MediaRef(
        id=SOURCE_ID,
        role="source",
        path=media.path,
        duration_frames=source_frames(media),
        has_video=media.video is not None,
        has_audio=media.audio is not None,
    )
    video_clips, audio_clips = [], []
    position = 0
    for index, (first, last) in enumerate(kept):
        if media.video is not None:
            video_clips.append(Clip(id=f"v{index}", media=SOURCE_ID, source_in=first, source_out=last, start=position))
        if media.audio is not None:
            audio_clips.append(Clip(id=f"a{index}", media=SOURCE_ID, source_in=first, source_out=last, start=position))
        position += last - first
    tracks = []
    if video_clips:
        tracks.append(Track(id="V1", kind="video", clips=video_clips))
    if audio_clips:
        tracks.append(Track(id="A1", kind="audio", clips=audio_clips))
    return Timeline(
        rate=rate,
        width=media.video.width if media.video else None,
        height=media.video.height if media.video else None,
        sample_rate=media.audio.sample_rate if media.audio else None,
        media=[source],
        tracks=tracks,
        decisions=decisions,
    )
