"""Document sets as Python integers: bit n is document number n.

Intersections, unions and counts of integers run in C, so facet counts over a hundred
thousand documents cost microseconds where Python sets cost milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# The set bits of each byte value, lowest first.
_BITS = tuple(tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256))


def mask_of(docnums: Iterable[int], size: int) -> int:
    """The bitset of some document numbers below ``size``."""
    bits = bytearray((size >> 3) + 1)
    for n in docnums:
        bits[n >> 3] |= 1 << (n & 7)
    return int.from_bytes(bits, "little")


def full_mask(size: int) -> int:
    """Every document number below ``size``."""
    return (1 << size) - 1


def members(mask: int) -> Iterator[int]:
    """The document numbers in a bitset, ascending."""
    data = mask.to_bytes((mask.bit_length() >> 3) + 1, "little")
    for index, byte in enumerate(data):
        if byte:
            base = index << 3
            for bit in _BITS[byte]:
                yield base + bit
