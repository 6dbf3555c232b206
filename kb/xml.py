"""Safe XML parsing for upstream bodies: no entity expansion, no external
entities, no DTD retrieval (defusedxml), with a clear ``ParseError``."""

from __future__ import annotations

from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XmlSyntaxError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kb.errors import ParseError


def parse_xml(data: bytes | str, *, item: str, source: str) -> Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ParseError(
            f"unsafe XML refused ({type(exc).__name__}): {exc}", item=item, source=source
        ) from None
    except XmlSyntaxError as exc:
        raise ParseError(f"malformed XML: {exc}", item=item, source=source) from None


def local(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def text_of(element: Element | None) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None
