"""Label Studio labeling configs: one hardened XML parser, tag lookup, and every check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, Problem, Warnings
from .tags import ConfigNode
from .xmlsafe import parse_xml

MAX_CONFIG_BYTES = 1_000_000
_FIELD_REF = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass
class LabelingConfig:
    """A checked config: its nodes in document order, by name, and warnings found."""

    root: ConfigNode
    source: str
    registry: object
    nodes: list[ConfigNode] = field(default_factory=list)
    by_name: dict[str, ConfigNode] = field(default_factory=dict)
    warnings: Warnings = field(default_factory=Warnings)

    def objects(self) -> list[ConfigNode]:
        return [n for n in self.nodes if n.tag.kind == "object"]

    def controls(self) -> list[ConfigNode]:
        return [n for n in self.nodes if n.tag.kind == "control"]

    def labels_for(self, control: ConfigNode) -> list[str]:
        """Label values offered to a control's regions, in config order (the class order): its
        own options if it has any, else those of the label sets on its object that make no
        regions of their own (a control that makes regions keeps its options to itself)."""
        own = [c.attrs.get("value") for c in control.children if c.tag.kind == "option"]
        if own:
            return list(dict.fromkeys(own))
        targets = set(control.to_names)
        values: list[str] = []
        for node in self.nodes:
            parent = node.parent
            if node.tag.kind != "option" or parent is None or parent.tag.region_struct is not None:
                continue
            if set(parent.to_names) & targets and node.attrs.get("value") not in values:
                values.append(node.attrs.get("value"))
        return values

    def interpolator_name(self, control: ConfigNode) -> str:
        """The interpolation strategy a control tag asks for (plugins may choose)."""
        return self.registry.choose_interpolator(control)

    def object_of(self, control: ConfigNode) -> ConfigNode | None:
        names = control.to_names
        return self.by_name.get(names[0]) if names else None


def load_config(path: str | Path, registry) -> LabelingConfig:
    """Read and check a config file; raise ConfigError listing every problem found."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ConfigError(Problem(str(path), f"cannot read config: {exc.strerror}")) from None
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(
            Problem(str(path), f"config is {size} bytes; the limit is {MAX_CONFIG_BYTES}")
        )
    return parse_config(path.read_bytes(), registry, source=str(path))


def parse_config(text: str | bytes, registry, source: str = "config.xml") -> LabelingConfig:
    """Parse and check config text; raise ConfigError listing every problem found."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            Problem(source, f"config is {len(data)} bytes; the limit is {MAX_CONFIG_BYTES}")
        )
    tree = parse_xml(data, source, ConfigError)
    return _Checker(registry, source).run(tree)


class _Checker:
    """Builds ConfigNodes from an lxml tree and gathers every problem."""

    def __init__(self, registry, source: str):
        self.registry = registry
        self.source = source
        self.problems: list[Problem] = []
        self.warnings = Warnings()

    def where(self, line: int) -> str:
        return f"{self.source}:{line}"

    def error(self, node_or_line, message: str) -> None:
        if isinstance(node_or_line, ConfigNode):
            self.problems.append(
                Problem(self.where(node_or_line.line), f"{node_or_line.describe()}: {message}")
            )
        else:
            self.problems.append(Problem(self.where(node_or_line), message))

    def run(self, root_el) -> LabelingConfig:
        if not isinstance(root_el.tag, str) or root_el.tag.lower() != "view":
            raise ConfigError(
                Problem(self.where(root_el.sourceline or 1), f"the root tag must be <View>, not <{root_el.tag}>")
            )
        nodes: list[ConfigNode] = []
        root = self.build(root_el, None, nodes)
        if self.problems:
            raise ConfigError(self.problems)
        config = LabelingConfig(root=root, source=self.source, registry=self.registry, nodes=nodes,
                                warnings=self.warnings)
        self.check_names(config)
        self.check_references(config)
        for node in nodes:
            for message in node.tag.check(node, config):
                self.error(node, message)
        if self.problems:
            raise ConfigError(self.problems)
        return config

    def build(self, el, parent: ConfigNode | None, nodes: list[ConfigNode]) -> ConfigNode | None:
        line = el.sourceline or 1
        tag = self.registry.tag(el.tag)
        if tag is None:
            self.error(line, f"<{el.tag}>: unknown tag {el.tag!r}; a plugin can provide it "
                             f"(`tracklabel plugins` lists the tags loaded)")
            return None
        node = ConfigNode(tag=tag, xml_name=el.tag, line=line, attrs={}, parent=parent,
                          text=(el.text or "").strip())
        self.parse_attributes(node, el)
        if tag.parents and (parent is None or parent.tag.name.lower() not in
                            {p.lower() for p in tag.parents}):
            self.error(node, f"must be inside <{'> or <'.join(tag.parents)}>")
        nodes.append(node)
        for child in el:
            if isinstance(child.tag, str):
                built = self.build(child, node, nodes)
                if built is not None:
                    node.children.append(built)
        return node

    def parse_attributes(self, node: ConfigNode, el) -> None:
        known = {name.lower(): (name, attr) for name, attr in node.tag.attributes.items()}
        for raw_name, text in el.attrib.items():
            entry = known.get(raw_name.lower())
            if entry is None:
                self.warnings.add(self.where(node.line),
                                  f"<{node.xml_name}>: unknown attribute {raw_name!r} ignored")
                continue
            name, attr = entry
            try:
                node.attrs[name] = attr.parse(text)
            except ValueError as exc:
                self.error(node, f'attribute {raw_name}="{text}" {exc}')
        for name, attr in node.tag.attributes.items():
            if name in node.attrs:
                continue
            if attr.required:
                self.error(node, f"attribute {name!r} is required")
            else:
                node.attrs[name] = attr.default

    def check_names(self, config: LabelingConfig) -> None:
        for node in config.nodes:
            name = node.name
            if name is None:
                continue
            if name in config.by_name:
                first = config.by_name[name]
                self.error(node, f"name {name!r} is already used at line {first.line}")
            else:
                config.by_name[name] = node

    def check_references(self, config: LabelingConfig) -> None:
        for node in config.nodes:
            if node.tag.kind == "object":
                value = node.attrs.get("value")
                if value is None or not _FIELD_REF.match(value):
                    self.error(node, f'value="{value}" must reference a task field, like "$video"')
            if "toName" in node.tag.attributes:
                for target in node.to_names:
                    obj = config.by_name.get(target)
                    if obj is None or obj.tag.kind != "object":
                        self.error(node, f'toName "{target}" names no object tag')
