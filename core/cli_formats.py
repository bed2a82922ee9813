"""Commands whose format flags (`--format`, `--from`, `--to`) bring that format's own options:
shown by `--help` once the format is named, refused with the format that has them otherwise."""

from __future__ import annotations

import click

from .errors import PluginError
from .options import Option
from .plugins import load_registry

_CLICK_TYPES = {int: click.INT, float: click.FLOAT, str: click.STRING}


class FormatCommand(click.Command):
    """A command that adds the options of the formats its flags name (`formats`: flag →
    "exporters" or "importers") before its arguments are parsed."""

    def __init__(self, *args, formats: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.formats = formats

    def parse_args(self, ctx, args):
        registry = ctx.meta["tracklabel.registry"] = load_registry()
        chosen = {}
        for flag, kind in self.formats.items():
            name = _flag_value(args, flag)
            if name is not None:
                chosen[flag] = _named(ctx, registry, kind, name, flag)
        ctx.meta["tracklabel.formats"] = chosen
        ctx.meta["tracklabel.format_params"] = groups = self._format_params(ctx, chosen.values())
        ctx.meta["tracklabel.format_param_list"] = [p for _, params in groups for p in params]
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            owners = self._owners(registry, exc.option_name)
            if not owners or not chosen:
                raise
            named = " and ".join(f"{plugin.name!r}" for plugin in chosen.values())
            raise click.UsageError(f"{exc.option_name} is an option of {', '.join(owners)}, "
                                   f"not of {named}", ctx) from None

    def get_params(self, ctx):
        return super().get_params(ctx) + ctx.meta.get("tracklabel.format_param_list", [])

    def format_options(self, ctx, formatter):
        """The common options, then a section per chosen format with its own."""
        rows = [row for param in super().get_params(ctx) if (row := param.get_help_record(ctx))]
        with formatter.section("Options"):
            formatter.write_dl(rows)
        for name, params in ctx.meta.get("tracklabel.format_params", []):
            if params:
                with formatter.section(f"Options of format {name!r}"):
                    formatter.write_dl([param.get_help_record(ctx) for param in params])

    def _format_params(self, ctx, plugins) -> list[tuple[str, list[click.Option]]]:
        """Per chosen format, a click option for each of its options (a name two of them
        declare is one option, under the first)."""
        taken = {p.name for p in self.params}
        groups, seen = [], set()
        for plugin in plugins:
            params = []
            for option in plugin.options:
                if option.name in taken:
                    raise PluginError(f"format {plugin.name!r} declares option {option.name!r}, "
                                      f"which every {ctx.info_name} already has")
                if option.name not in seen:
                    seen.add(option.name)
                    params.append(click_option(option))
            groups.append((plugin.name, params))
        return groups

    def _owners(self, registry, flag: str) -> list[str]:
        """The formats (of this command's kinds) that have an option with this flag."""
        owners = []
        for kind in dict.fromkeys(self.formats.values()):
            for plugin in getattr(registry, kind).values():
                if any(option.flag == flag for option in plugin.options):
                    owners.append(f"format {plugin.name!r}")
        return list(dict.fromkeys(owners))


def click_option(option: Option) -> click.Option:
    """The command line's form of a format's option: a flag for a boolean."""
    help_text = option.help
    if option.type is bool:
        decls = [f"{option.flag}/--no-{option.flag[2:]}"] if option.default else [option.flag]
        return click.Option([*decls, option.name], is_flag=True, default=bool(option.default),
                            help=help_text)
    kind = click.Choice([str(c) for c in option.choices]) if option.choices else _CLICK_TYPES[option.type]
    return click.Option([option.flag, option.name], type=kind, default=option.default,
                        show_default=option.default is not None, help=help_text)


def given_options(plugin, flags: dict) -> dict:
    """A format's option values from the parsed flags, checked and typed (defaults filled)."""
    return plugin.option_values({option.name: flags[option.name] for option in plugin.options
                                 if flags.get(option.name) is not None})


def chosen(kind_flag: str):
    """The format a flag of the running command named, and the registry it came from."""
    meta = click.get_current_context().meta
    return meta["tracklabel.formats"][kind_flag], meta["tracklabel.registry"]


def _named(ctx, registry, kind: str, name: str, flag: str):
    try:
        return getattr(registry, kind[:-1])(name)
    except PluginError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param_hint=flag) from None


def _flag_value(args: list[str], flag: str) -> str | None:
    """The value given to `flag` (`--flag VALUE` or `--flag=VALUE`; the last one wins)."""
    value = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == flag and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(flag + "="):
            value = arg[len(flag) + 1:]
    return value
