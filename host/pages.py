"""The pages (projects, settings, tasks, import, export, label, members): one small HTML each
that loads the shell and the page's module, `host/static/pages/<page>.js`; and their icon."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

bp = Blueprint("pages", __name__)

# (URL rule, page module): each page's owner adds its line.
ROUTES = (
    ("/", "projects"),
    ("/projects/new", "settings"),
    ("/projects/<int:project_id>/settings", "settings"),
    ("/projects/<int:project_id>/export", "export"),
    ("/members", "members"),
    ("/projects/<int:project_id>", "tasks"),
    ("/projects/<int:project_id>/import", "import"),
)

HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>tracklabel</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="/favicon.ico" type="image/svg+xml">
  <link rel="stylesheet" href="/static/pages/pages.css">
  <script type="module" src="/static/pages/shell.js"></script>
</head>
<body data-page="{page}">
  <header class="nav"></header>
  <p class="status" role="status"></p>
  <main id="page"><p class="loading">Loading…</p></main>
</body>
</html>
"""


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon of every page and the player (an SVG, at the URL browsers ask without a link)."""
    return current_app.send_static_file("favicon.svg")


def _view(page: str):
    def view(**_ids) -> Response:
        return Response(HTML.format(page=page), mimetype="text/html")
    view.__name__ = f"page_{page}"
    return view


for _rule, _page in ROUTES:
    bp.add_url_rule(_rule, endpoint=f"{_page}:{_rule}", view_func=_view(_page))
