"""A control's `interpolation` attribute names its interpolator (asked after every other plugin)."""

from tracklabel.core.hookspecs import hookimpl


@hookimpl(trylast=True)
def choose_interpolator(control):
    return control.attrs.get("interpolation")
