"""The plugin registry on the app."""

from flask import current_app

from tracklabel.core.plugins import load_registry


def init_app(app) -> None:
    app.extensions["tracklabel.registry"] = load_registry()


def registry():
    return current_app.extensions["tracklabel.registry"]
