"""Builtin export formats, each an ordinary plugin."""
