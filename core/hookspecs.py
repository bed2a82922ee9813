"""Every hook a tracklabel plugin can implement."""

import pluggy

hookspec = pluggy.HookspecMarker("tracklabel")
hookimpl = pluggy.HookimplMarker("tracklabel")


@hookspec
def register_tags(register):
    """Register labeling-config tags: call register(tag) for each Tag subclass instance."""


@hookspec
def register_interpolators(register):
    """Register interpolation strategies: call register(interpolator) for each Interpolator."""


@hookspec
def register_exporters(register):
    """Register output formats: call register(exporter) for each Exporter."""


@hookspec
def register_importers(register):
    """Register input formats: call register(importer) for each Importer."""


@hookspec
def register_decoders(register):
    """Register video decoders: call register(decoder) for each Decoder."""


@hookspec
def register_trackers(register):
    """Register object trackers: call register(tracker_class) for each Tracker subclass."""


@hookspec(firstresult=True)
def choose_interpolator(control):
    """Return the interpolator name for a control tag (a ConfigNode), or None to pass."""


@hookspec
def register_commands(cli):
    """Add commands to the `tracklabel` command line: call cli.add_command(command)."""
