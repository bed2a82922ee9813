"""Builtin trackers, each an ordinary plugin (OpenCV's, no downloaded weights)."""
