"""A format's own options: declared by its exporter or importer, given on the command line
or to a server by the same names, checked and typed here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from .errors import InputError, Problem

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


@dataclass(frozen=True)
class Option:
    """One option of a format: `name` (a Python identifier; the command line's flag is
    --name-with-dashes), its type (bool is a flag), default, one-line help and, when it
    takes only some values, their `choices`."""

    name: str
    type: type = str
    default: Any = None
    help: str = ""
    choices: tuple = ()

    def __post_init__(self):
        if self.type not in TYPES:
            raise TypeError(f"option {self.name!r}: type must be one of bool, int, float, str")

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def parse(self, value: Any) -> Any:
        """The value as this option's type (from itself, or its text); an InputError naming
        the option when it is not one, or not among the choices."""
        typed = self._typed(value)
        if typed is None:
            raise InputError(Problem(self.name, f"{self.name}={_shown(value)} is not {_article(self.type)}"))
        if self.choices and typed not in self.choices:
            raise InputError(Problem(self.name, f"{self.name}={_shown(value)} is not one of "
                                                f"{', '.join(map(str, self.choices))}"))
        return typed

    def _typed(self, value: Any) -> Any:
        if self.type is bool:
            if isinstance(value, bool):
                return value
            text = value.strip().lower() if isinstance(value, str) else None
            return True if text in _TRUE else False if text in _FALSE else None
        if isinstance(value, bool):
            return None
        if self.type is str:
            return value if isinstance(value, str) else None
        if isinstance(value, str):
            try:
                value = float(value.strip()) if self.type is float else int(value.strip(), 10)
            except ValueError:
                return None
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        if self.type is int:
            return int(value) if float(value).is_integer() else None
        return float(value)

    def describe(self) -> dict:
        """The option as JSON: name, type, default, help, choices."""
        return {"name": self.name, "type": TYPES[self.type], "default": self.default,
                "help": self.help, "choices": list(self.choices)}


def option_values(declared: tuple[Option, ...], given: Mapping[str, Any], owner: str) -> dict:
    """Every declared option's value: the given one checked (an InputError naming it when it
    is bad, or not an option of `owner`), else its default."""
    by_name = {option.name: option for option in declared}
    problems = [Problem(name, f"{name} is not an option of {owner} (its options: "
                              f"{', '.join(by_name) or 'none'})")
                for name in given if name not in by_name]
    if problems:
        raise InputError(problems)
    return {name: option.parse(given[name]) if name in given else option.default
            for name, option in by_name.items()}


def _article(kind: type) -> str:
    return {bool: "true or false", int: "a whole number", float: "a finite number",
            str: "text"}[kind]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
