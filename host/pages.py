"""The pages (projects, settings, tasks, import, export, label, members): one small HTML each
that loads the shell and the page's module, `host/static/pages/<page>.js`."""

from __future__ import annotations

from flask import Blueprint, Response

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


def _view(page: str):
    def view(**_ids) -> Response:
        return Response(HTML.format(page=page), mimetype="text/html")
    view.__name__ = f"page_{page}"
    return view


for _rule, _page in ROUTES:
    bp.add_url_rule(_rule, endpoint=f"{_page}:{_rule}", view_func=_view(_page))
