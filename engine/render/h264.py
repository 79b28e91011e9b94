"""Just enough H.264 bitstream handling to splice re-encoded frames between copied ones.

MP4 stores H.264 as length-prefixed NAL units with the parameter sets (SPS, PPS)
in the `avcC` record. Re-encoded frames get parameter sets of their own under ids
the source does not use, and both sets go into one `avcC`, so every player sees a
single valid stream (no in-band parameter sets, which `avc1` forbids).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NAL_SLICE, NAL_IDR, NAL_SPS, NAL_PPS = 1, 5, 7, 8
MAX_SPS_ID = 31


@dataclass(frozen=True)
class AvcConfig:
    """An avcC record (ISO/IEC 14496-15), kept byte for byte apart from the lists we extend."""

    profile: int
    compatibility: int
    level: int
    length_size: int  # bytes of each NAL unit's length prefix
    sps: tuple[bytes, ...]
    pps: tuple[bytes, ...]
    trailer: bytes  # the High-profile fields after the PPS list, unchanged

    @classmethod
    def parse(cls, data: bytes) -> "AvcConfig":
        if len(data) < 7 or data[0] != 1:
            raise ValueError("not an avcC record")
        pos = 6
        sps, pos = _read_list(data, pos, data[5] & 0x1F)
        pps, pos = _read_list(data, pos + 1, data[pos])
        return cls(data[1], data[2], data[3], (data[4] & 0x03) + 1, sps, pps, data[pos:])

    def to_bytes(self) -> bytes:
        out = bytearray([1, self.profile, self.compatibility, self.level, 0xFC | (self.length_size - 1),
                         0xE0 | len(self.sps)])
        for nal in self.sps:
            out += len(nal).to_bytes(2, "big") + nal
        out.append(len(self.pps))
        for nal in self.pps:
            out += len(nal).to_bytes(2, "big") + nal
        return bytes(out + self.trailer)

    def sps_ids(self) -> set[int]:
        return {parameter_set_id(nal) for nal in self.sps}

    def with_sets(self, sps: list[bytes], pps: list[bytes]) -> "AvcConfig":
        level = max([self.level] + [nal[3] for nal in sps])
        return AvcConfig(self.profile, self.compatibility, level, self.length_size, self.sps + tuple(sps),
                         self.pps + tuple(pps), self.trailer)


def _read_list(data: bytes, pos: int, count: int) -> tuple[tuple[bytes, ...], int]:
    items = []
    for _ in range(count):
        size = int.from_bytes(data[pos:pos + 2], "big")
        items.append(data[pos + 2:pos + 2 + size])
        pos += 2 + size
    return tuple(items), pos


def unused_sps_id(config: AvcConfig) -> int:
    used = config.sps_ids()
    return next(i for i in range(MAX_SPS_ID + 1) if i not in used)


def parameter_set_id(nal: bytes) -> int:
    """The id an SPS or PPS declares: the first Exp-Golomb number after the SPS's three fixed bytes."""
    rbsp = _unescape(nal[1:])
    payload = rbsp[3:] if nal[0] & 0x1F == NAL_SPS else rbsp
    bits = "".join(f"{b:08b}" for b in payload[:8])
    zeros = len(bits) - len(bits.lstrip("0"))
    return int(bits[zeros:2 * zeros + 1], 2) - 1


def _unescape(data: bytes) -> bytes:
    return data.replace(b"\x00\x00\x03", b"\x00\x00")


_START_CODE = re.compile(b"\x00\x00\x01")


def split_annexb(data: bytes) -> list[bytes]:
    """NAL units of an Annex B byte stream (3- or 4-byte start codes)."""
    starts = [m.end() for m in _START_CODE.finditer(data)]
    units = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - 3 if i + 1 < len(starts) else len(data)
        units.append(data[start:end].rstrip(b"\x00") if i + 1 < len(starts) else data[start:end])
    return [u for u in units if u]


def to_length_prefixed(annexb: bytes, length_size: int, drop_parameter_sets: bool = True) -> bytes:
    out = bytearray()
    for nal in split_annexb(annexb):
        if drop_parameter_sets and nal[0] & 0x1F in (NAL_SPS, NAL_PPS):
            continue
        out += len(nal).to_bytes(length_size, "big") + nal
    return bytes(out)


def parameter_sets(annexb: bytes) -> tuple[list[bytes], list[bytes]]:
    units = split_annexb(annexb)
    return [u for u in units if u[0] & 0x1F == NAL_SPS], [u for u in units if u[0] & 0x1F == NAL_PPS]


def is_reference(sample: bytes, length_size: int) -> bool:
    """Whether a length-prefixed access unit is a reference picture (its slices' nal_ref_idc is not 0).

    A non-reference picture is never used to predict another, so a decoder that only needs later
    frames may skip it.
    """
    pos = 0
    while pos + length_size < len(sample):
        size = int.from_bytes(sample[pos:pos + length_size], "big")
        header = sample[pos + length_size]
        if header & 0x1F in (NAL_SLICE, NAL_IDR):
            return (header >> 5) & 0x03 != 0
        pos += length_size + size
    return True
