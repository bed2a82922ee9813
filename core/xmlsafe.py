"""The one hardened XML parser: no DOCTYPE, no entities, no network, no huge trees."""

from __future__ import annotations

import re

from lxml import etree

from .errors import InputError, Problem

_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(data: bytes, source: str, error: type[InputError] = InputError):
    """Parse XML bytes into an lxml element; raise `error` naming the file and line."""
    match = _DECLARATION.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise error(Problem(f"{source}:{line}", "DOCTYPE and entity declarations are not allowed"))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise error(Problem(f"{source}:{exc.lineno or 1}", f"malformed XML: {exc.msg}")) from None
