"""tracklabel-ellipse: tracked ellipses on a video (<VideoEllipse>, regions of type
`videoellipse`) and the `ellipse-csv` export format, as a third-party tracklabel plugin."""

from tracklabel.core.hookspecs import hookimpl

from .export import EllipseCsv
from .tag import VideoEllipse


@hookimpl
def register_tags(register):
    register(VideoEllipse())


@hookimpl
def register_exporters(register):
    register(EllipseCsv())
