"""The XML guard holds in every encoding: a DOCTYPE, an entity bomb or an external entity is
refused with file and line by `config check` and by the CVAT importer, and a too-deep document
is named in words."""

import codecs
import socket

import pytest

from formats import run

# (Python codec, byte order mark or b"", the name the XML declaration gives)
ENCODINGS = [
    ("utf-8", b"", "UTF-8"),
    ("utf-8", codecs.BOM_UTF8, "UTF-8"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "UTF-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "UTF-16"),
    ("utf-16-le", b"", "UTF-16LE"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "UTF-32"),
    ("utf-32-be", codecs.BOM_UTF32_BE, "UTF-32"),
    ("utf-32-be", b"", "UTF-32BE"),
]
IDS = [f"{codec}{'+bom' if bom else ''}" for codec, bom, _ in ENCODINGS]

CONFIG_BODY = ('<View>\n  <Video name="video" value="$video"/>\n'
               '  <VideoRectangle name="box" toName="video"/>\n  <Header value="{text}"/>\n</View>\n')
CVAT_BODY = ('<annotations>\n<version>1.1</version>\n<meta><task><name>{text}</name><size>2</size>\n'
             '<original_size><width>10</width><height>10</height></original_size></task></meta>\n'
             '</annotations>\n')
BOMB = ("<!DOCTYPE {root} [\n<!ENTITY lol \"lol\">\n"
        + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
                  for i in range(1, 10)) + "\n]>\n")


def document(codec, bom, label, prolog, body, text):
    """Line 1: the XML declaration, line 2: a comment, then the prolog (a DOCTYPE on line 3)."""
    xml = f'<?xml version="1.0" encoding="{label}"?>\n<!-- hostile -->\n{prolog}{body.format(text=text)}'
    return bom + xml.encode(codec)


def check(path, kind):
    """Run the command a user would run on this file."""
    if kind == "config":
        return run("config", "check", path)
    return run("convert", path, "--from", "cvat-video", "--to", "jsonl", "--out", "-")


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-VALUE")
    return path


@pytest.fixture(params=["config", "cvat"])
def kind(request):
    return request.param


def body_of(kind):
    return (CONFIG_BODY, "View") if kind == "config" else (CVAT_BODY, "annotations")


@pytest.mark.parametrize(("codec", "bom", "label"), ENCODINGS, ids=IDS)
def test_a_plain_document_reads_in_every_encoding(tmp_path, kind, codec, bom, label):
    body, _ = body_of(kind)
    path = tmp_path / "in.xml"
    path.write_bytes(document(codec, bom, label, "", body, "plain"))
    result = check(path, kind)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(("codec", "bom", "label"), ENCODINGS, ids=IDS)
def test_billion_laughs_is_refused_in_every_encoding(tmp_path, kind, codec, bom, label):
    body, root = body_of(kind)
    path = tmp_path / "bomb.xml"
    path.write_bytes(document(codec, bom, label, BOMB.format(root=root), body, "&lol9;"))
    result = check(path, kind)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {path}:3: DOCTYPE and entity declarations are not allowed\n"


@pytest.mark.parametrize(("codec", "bom", "label"), ENCODINGS, ids=IDS)
def test_an_external_entity_is_refused_and_never_read(tmp_path, kind, secret, codec, bom, label):
    body, root = body_of(kind)
    path = tmp_path / "xxe.xml"
    prolog = f'<!DOCTYPE {root} [\n<!ENTITY xxe SYSTEM "file://{secret}">\n]>\n'
    path.write_bytes(document(codec, bom, label, prolog, body, "&xxe;"))
    result = check(path, kind)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {path}:3: DOCTYPE and entity declarations are not allowed\n"
    assert "TOP-SECRET" not in result.output


@pytest.mark.parametrize(("codec", "bom", "label"), ENCODINGS[:3], ids=IDS[:3])
def test_a_doctype_without_entities_and_an_external_dtd_are_refused(tmp_path, kind, codec, bom, label):
    body, root = body_of(kind)
    for prolog in (f"<!DOCTYPE {root}>\n", f'<!DOCTYPE {root} SYSTEM "http://{socket.gethostname()}.invalid/x.dtd">\n'):
        path = tmp_path / "dtd.xml"
        path.write_bytes(document(codec, bom, label, prolog, body, "plain"))
        result = check(path, kind)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"error: {path}:3: DOCTYPE and entity declarations are not allowed\n"


@pytest.mark.parametrize(("codec", "bom", "label"), [ENCODINGS[0], ENCODINGS[2], ENCODINGS[6]],
                         ids=[IDS[0], IDS[2], IDS[6]])
def test_a_too_deep_document_is_named_in_words(tmp_path, kind, codec, bom, label):
    body, _ = body_of(kind)
    deep = "\n" + "<g>" * 300 + "</g>" * 300
    path = tmp_path / "deep.xml"
    if kind == "config":
        text = body.format(text="x").replace("</View>", deep + "</View>")
    else:
        text = body.format(text="x").replace("</annotations>", deep + "</annotations>")
    path.write_bytes(bom + f'<?xml version="1.0" encoding="{label}"?>\n<!-- hostile -->\n{text}'.encode(codec))
    result = check(path, kind)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {path}:8: nested more than 256 elements deep\n"
