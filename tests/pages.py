"""What tests ask of a rendered page."""
import re

# A resource the browser would fetch from elsewhere: src/href to //host or http(s)://host.
EXTERNAL = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def external_references(html):
    """Every attribute of the page that loads something from another host (a CDN, a font service)."""
    return EXTERNAL.findall(html)
