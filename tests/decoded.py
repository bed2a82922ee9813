"""A decoder whose frames of a file are decoded once, then served from memory: for tests that
track the same clip many times (what they measure is tracking, not decoding)."""

from __future__ import annotations

import numpy as np

from tracklabel.core.decoding import Decoder, Reader


class DecodedOnce(Decoder):
    """Wraps a registered decoder: probe and scan are its own, frames are decoded by it once."""

    name = "decoded-once"

    def __init__(self, decoder: Decoder):
        self.decoder = decoder
        self.version = decoder.version
        self.decoded: dict[str, list[np.ndarray]] = {}

    def probe(self, path: str):
        return self.decoder.probe(path)

    def scan(self, path: str, progress=None):
        return self.decoder.scan(path, progress)

    def open(self, path: str, index) -> Reader:
        if path not in self.decoded:
            with self.decoder.open(path, index) as reader:
                self.decoded[path] = list(reader.iterate(0, index.count))
        return Decoded(path, index, self.decoded[path])


class Decoded(Reader):
    """Frames already decoded; copies are handed out, so nothing the engine does changes them."""

    def __init__(self, path: str, index, frames: list[np.ndarray]):
        super().__init__(path, index)
        self.frames = frames

    def fetch(self, i: int) -> np.ndarray:
        return self.frames[i].copy()
