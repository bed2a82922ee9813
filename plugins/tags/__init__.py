"""Builtin config tags, each an ordinary plugin."""
