"""The last step of a render: the video and audio files muxed into one MP4, interleaved, faststart."""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from pathlib import Path

import av


def mux_streams(video_path: Path, audio_path: Path | None, out_path: Path) -> None:
    """Copy the packets of both files (no re-encoding) into `out_path` in decode-time order."""
    inputs = [av.open(str(video_path))] + ([av.open(str(audio_path))] if audio_path else [])
    try:
        with av.open(str(out_path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            sources = [(c, c.streams.video[0] if c.streams.video else c.streams.audio[0]) for c in inputs]
            streams = [out.add_stream_from_template(stream) for _, stream in sources]
            merged = heapq.merge(*(_timed(c, stream, index) for index, (c, stream) in enumerate(sources)))
            for _, _, index, packet in merged:
                packet.stream = streams[index]
                out.mux(packet)
    finally:
        for container in inputs:
            container.close()


def _timed(container: av.container.InputContainer, stream, index: int) -> Iterator[tuple[float, int, int, av.Packet]]:
    for order, packet in enumerate(container.demux(stream)):
        if packet.dts is not None:
            yield float(packet.dts * packet.time_base), order, index, packet
