"""Solution pages: producer Markdown → HTML that is safe to put in a viewer's browser."""
from __future__ import annotations

import markdown
import nh3

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "img", "span", "sup", "sub",
    "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"}, "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
EXTENSIONS = ["tables", "sane_lists", "fenced_code", "nl2br"]


def render_markdown(body: str) -> str:
    """Markdown with tables, lists, headings, links and images; scripts, handlers, iframes and javascript: URLs
    are removed by nh3 (an allow-list sanitizer), whatever the Markdown or raw HTML says."""
    html = markdown.markdown(body or "", extensions=EXTENSIONS, output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)
