"""Errors and warnings that name what went wrong and where."""

from __future__ import annotations

import msgspec


class Problem(msgspec.Struct, frozen=True):
    """One finding about an input: where it is (file:line, or a JSON path) and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class TracklabelError(Exception):
    """Base class for every error tracklabel raises on purpose."""


class InputError(TracklabelError):
    """Bad input (config, task file, flags): carries every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(InputError):
    """The labeling config is invalid."""


class SchemaError(InputError):
    """A task, annotation or region does not match the data model."""


class PluginError(TracklabelError):
    """A plugin failed, or plugins conflict (e.g. two register the same name)."""


class Warnings(list):
    """Warnings gathered while reading input; each is a Problem."""

    def add(self, where: str, message: str) -> None:
        self.append(Problem(where, message))
