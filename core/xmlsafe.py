"""The one hardened XML parser: no DOCTYPE, no entities, no network, no huge trees.

lxml reads the document in whatever encoding it declares (UTF-8, UTF-16, UTF-32, ...) with
entity resolution, DTD loading and the network off; a DOCTYPE or entity found in what it read is
then refused, so no byte pattern can be dodged by a change of encoding.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from .errors import InputError, Problem

_NOT_ALLOWED = "DOCTYPE and entity declarations are not allowed"
_DEPTH = re.compile(r"Excessive depth in document: (\d+)")
# How a document's first bytes tell its encoding (XML 1.0, appendix F), to find a line in it.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_UNMARKED = {b"<\0\0\0": "utf-32-le", b"\0\0\0<": "utf-32-be",
             b"<\0?\0": "utf-16-le", b"\0<\0?": "utf-16-be"}


def _parser(**options) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, **options)


def parse_xml(data: bytes, source: str, error: type[InputError] = InputError):
    """Parse XML bytes into an lxml element; raise `error` naming the file and line."""
    try:
        root = etree.fromstring(data, _parser(remove_comments=True, remove_pis=True))
    except etree.XMLSyntaxError as exc:
        raise error(_syntax_problem(data, source, exc)) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise error(Problem(f"{source}:{_doctype_line(data)}", _NOT_ALLOWED))
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:  # a reference to an entity no declaration names
        raise error(Problem(f"{source}:{entity.sourceline or 1}", _NOT_ALLOWED))
    return root


def _syntax_problem(data: bytes, source: str, exc: etree.XMLSyntaxError) -> Problem:
    """What a parse error means to a user: a declared DOCTYPE (an entity bomb stops the parse
    before the tree can be checked), a too-deep document, or malformed XML."""
    if _declares_doctype(data):
        return Problem(f"{source}:{_doctype_line(data)}", _NOT_ALLOWED)
    line = f"{source}:{exc.lineno or 1}"
    depth = _DEPTH.search(exc.msg or "")
    if depth:
        return Problem(line, f"nested more than {depth.group(1)} elements deep")
    return Problem(line, f"malformed XML: {exc.msg}")


class _DoctypeFound(Exception):
    pass


class _DoctypeProbe:
    """A parser target that stops at a DOCTYPE, before any entity it declares is used."""

    def doctype(self, *_) -> None:
        raise _DoctypeFound

    def close(self) -> None:
        return None


def _declares_doctype(data: bytes) -> bool:
    try:
        etree.fromstring(data, _parser(target=_DoctypeProbe()))
    except _DoctypeFound:
        return True
    except etree.XMLSyntaxError:
        return False
    return False


def _doctype_line(data: bytes) -> int:
    """The line of `<!DOCTYPE`, read in the document's encoding; 1 when not found."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    text = data.decode(encoding or _UNMARKED.get(data[:4], "utf-8"), errors="replace")
    return text.count("\n", 0, max(text.find("<!DOCTYPE"), 0)) + 1
