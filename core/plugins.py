"""The plugin manager factory and the registry of everything plugins provide."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from dataclasses import dataclass, field
from typing import Any

import pluggy

from . import hookspecs
from .errors import PluginError

ENTRY_POINT_GROUP = "tracklabel"
REGISTRY_HOOKS = {
    "tags": "register_tags",
    "interpolators": "register_interpolators",
    "exporters": "register_exporters",
    "importers": "register_importers",
    "decoders": "register_decoders",
    "trackers": "register_trackers",
}


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, remembering the distribution each installed plugin came from."""

    def __init__(self) -> None:
        super().__init__("tracklabel")
        self.distributions: dict[str, importlib.metadata.Distribution] = {}


def get_plugin_manager(load_entry_points: bool = True) -> PluginManager:
    """A manager with the builtins and, unless restricted, installed third-party plugins.

    TRACKLABEL_LOAD_PLUGINS (a comma list of distribution or entry-point names; empty means
    none) restricts which third-party plugins load; a name in it that matches none is an error.
    """
    from tracklabel.plugins import DEFAULT_PLUGINS

    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if load_entry_points:
        _load_entry_points(pm, os.environ.get("TRACKLABEL_LOAD_PLUGINS"))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin_name!r}: {exc}") from exc
    return pm


def _load_entry_points(pm: PluginManager, allowed: str | None) -> None:
    wanted = None if allowed is None else {n.strip() for n in allowed.split(",") if n.strip()}
    found = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    if wanted:
        known = {ep.name for ep in found} | {ep.dist.name for ep in found if ep.dist}
        unknown = sorted(wanted - known)
        if unknown:
            raise PluginError(f"TRACKLABEL_LOAD_PLUGINS names {', '.join(map(repr, unknown))}, which "
                              f"matches no installed plugin or distribution (installed: "
                              f"{', '.join(sorted(known)) or 'none'})")
    for ep in found:
        dist = ep.dist.name if ep.dist else None
        if wanted is not None and ep.name not in wanted and dist not in wanted:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(f"plugin {ep.name!r} ({dist}) failed to load: "
                              f"{type(exc).__name__}: {exc}") from exc
        if pm.is_registered(plugin):
            continue  # the same module listed twice
        if pm.get_plugin(ep.name) is not None:
            raise PluginError(f"two plugins are named {ep.name!r}; the second is from {dist}")
        try:
            pm.register(plugin, name=ep.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"plugin {ep.name!r} ({dist}) cannot be registered: {exc}") from exc
        if ep.dist is not None:
            pm.distributions[ep.name] = ep.dist


def call_hook(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Any:
    """Call a hook's implementations one by one, in pluggy's order; an exception becomes a
    PluginError naming the plugin and the hook. firstresult hooks stop at the first answer."""
    caller = getattr(pm.hook, hook_name)
    first = caller.spec.opts.get("firstresult", False)
    results = []
    for impl in reversed(caller.get_hookimpls()):
        try:
            result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {impl.plugin_name!r} failed in hook {hook_name}: "
                              f"{type(exc).__name__}: {exc}") from exc
        if result is not None:
            if first:
                return result
            results.append(result)
    return None if first else results


@dataclass
class Registry:
    """What the loaded plugins registered, by kind and name, and which plugin gave each."""

    pm: pluggy.PluginManager
    tags: dict[str, Any] = field(default_factory=dict)
    interpolators: dict[str, Any] = field(default_factory=dict)
    exporters: dict[str, Any] = field(default_factory=dict)
    importers: dict[str, Any] = field(default_factory=dict)
    decoders: dict[str, Any] = field(default_factory=dict)
    trackers: dict[str, Any] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)

    def tag(self, xml_name: str):
        """The tag registered under this XML name, matched case-insensitively, or None."""
        return self.tags.get(xml_name.lower()) if isinstance(xml_name, str) else None

    def region_tag(self, region_type: str):
        """The tag whose regions have this Label Studio `type`, or None."""
        for tag in self.tags.values():
            if tag.region_type and tag.region_type.lower() == region_type.lower():
                return tag
        return None

    def choose_interpolator(self, control) -> str:
        return call_hook(self.pm, "choose_interpolator", control=control) or "linear"

    def interpolator(self, name: str):
        return self._named(self.interpolators, name, "interpolator")

    def decoder(self, name: str):
        return self._named(self.decoders, name, "decoder")

    def tracker(self, name: str):
        return self._named(self.trackers, name, "tracker")

    def importer(self, name: str):
        return self._named(self.importers, name, "import format")

    def exporter(self, name: str):
        return self._named(self.exporters, name, "export format")

    @staticmethod
    def _named(table: dict, name: str, what: str):
        try:
            return table[name]
        except KeyError:
            raise PluginError(f"no {what} {name!r} (loaded: {', '.join(sorted(table))})") from None


def load_registry(pm: PluginManager | None = None) -> Registry:
    """Call every registry hook, one plugin at a time, failing on a duplicate name."""
    pm = pm or get_plugin_manager()
    registry = Registry(pm)
    for kind, hook_name in REGISTRY_HOOKS.items():
        table = getattr(registry, kind)
        for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
            def register(item, _kind=kind, _table=table, _plugin=impl.plugin_name):
                key = item.name.lower() if _kind == "tags" else item.name
                owner = registry.owners.get((_kind, key))
                if owner is not None:
                    raise PluginError(f"{_kind[:-1]} name {item.name!r} is registered twice: "
                                      f"by plugin {owner!r} and by plugin {_plugin!r}")
                _table[key] = item
                registry.owners[(_kind, key)] = _plugin
            try:
                impl.function(register=register)
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(f"plugin {impl.plugin_name!r} failed in hook {hook_name}: "
                                  f"{type(exc).__name__}: {exc}") from exc
    return registry
