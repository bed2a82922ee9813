"""Rows of numbers to text without a Python loop per row: the exporters' fast path.

`format_rows` lays every field out in a fixed-width byte matrix (one row per box) whose unused
bytes stay zero, then drops the zeros in one C pass. Numbers are written as the shortest decimal
with at most `decimals` places ("12.5", "3", "-0.125"); integer arrays as plain integers.
"""

from __future__ import annotations

import numpy as np

_MAX = 1e15
_ZERO = ord("0")


def format_rows(fields: list, rows: int) -> bytes:
    """Concatenate, row by row, literal byte strings and (array, decimals) numeric columns."""
    blocks = [_block(field, rows) for field in fields]
    out = np.empty((rows, sum(len(b) for b in blocks)), dtype=np.uint8)
    offset = 0
    for block in blocks:
        out[:, offset:offset + len(block)] = block.T
        offset += len(block)
    return out.tobytes().translate(None, b"\x00")


def _block(field, rows: int) -> np.ndarray:
    """The field's bytes as a (width, rows) array, zero where nothing is written."""
    if isinstance(field, (bytes, str)):
        literal = np.frombuffer(field.encode() if isinstance(field, str) else field, np.uint8)
        return np.broadcast_to(literal[:, None], (len(literal), rows))
    values, decimals = field
    values = np.asarray(values)
    if rows > 1 and (values.ndim == 0 or (values == values.flat[0]).all()):
        one = _block((values.reshape(-1)[:1], decimals), 1)  # a constant column: format once
        return np.broadcast_to(one, (len(one), rows))
    values = np.broadcast_to(values, (rows,))
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise ValueError("cannot format non-finite numbers")
        if (np.abs(values) >= _MAX).any():
            return _one_by_one(values, decimals)
        scaled = np.rint(values * 10.0**decimals).astype(np.int64)
    else:
        decimals = 0
        scaled = values.astype(np.int64)
    magnitude = np.abs(scaled)
    whole = magnitude // 10**decimals
    fraction = magnitude - whole * 10**decimals
    whole, fraction = _narrow(whole), _narrow(fraction)  # division by a constant is faster
    parts = [_digits(whole)]
    if (scaled < 0).any():
        parts.insert(0, np.where(scaled < 0, ord("-"), 0).astype(np.uint8)[None, :])
    if decimals:
        parts.append(_fraction(fraction, decimals))
    return np.concatenate(parts)


def _one_by_one(values: np.ndarray, decimals: int) -> np.ndarray:
    """A column with numbers too large for the int64 fast path, formatted in Python (rare)."""
    texts = [f"{v:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{v:.0f}"
             for v in values.tolist()]
    texts = [("0" if t in ("-0", "") else t).encode() for t in texts]
    out = np.zeros((len(texts), max(map(len, texts))), dtype=np.uint8)
    for row, text in enumerate(texts):
        out[row, :len(text)] = np.frombuffer(text, np.uint8)
    return out.T


def _digits(whole: np.ndarray) -> np.ndarray:
    """Right-aligned digits; leading zeros are 0 bytes (dropped); 0 itself is "0"."""
    width = len(str(int(whole.max()))) if len(whole) else 1
    out = np.empty((width, len(whole)), dtype=np.uint8)
    rest = whole
    for row in range(width - 1, -1, -1):
        quotient = rest // 10
        out[row] = rest - quotient * 10
        out[row] += _ZERO
        rest = quotient
        if row < width - 1:
            out[row][whole < 10 ** (width - 1 - row)] = 0
    return out


def _fraction(fraction: np.ndarray, decimals: int) -> np.ndarray:
    """"." then the digits; trailing zeros, and the point of a whole number, are 0 bytes."""
    out = np.empty((decimals + 1, len(fraction)), dtype=np.uint8)
    out[0] = np.where(fraction > 0, ord("."), 0)
    rest = fraction
    seen = np.zeros(len(fraction), dtype=bool)  # a non-zero digit at or right of this place
    for row in range(decimals, 0, -1):
        quotient = rest // 10
        digit = rest - quotient * 10
        rest = quotient
        seen |= digit > 0
        out[row] = np.where(seen, digit + _ZERO, 0)
    return out


def _narrow(values: np.ndarray) -> np.ndarray:
    """The smallest signed integer type that holds the values (they are not negative)."""
    top = int(values.max()) if len(values) else 0
    for kind in (np.int16, np.int32):
        if top <= np.iinfo(kind).max:
            return values.astype(kind)
    return values
