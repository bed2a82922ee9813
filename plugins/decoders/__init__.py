"""Builtin video decoders, each an ordinary plugin."""
