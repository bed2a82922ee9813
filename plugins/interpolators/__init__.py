"""Builtin interpolation strategies, each an ordinary plugin."""
