"""Markdown from models and documents, made safe to put in a page.

Answers quote documents and come from models, so both are untrusted: the link policy
(`links.py`, the same as `/v1`'s) makes links to untrusted hosts inert, markdown renders
the rest, then nh3 keeps only harmless formatting. No images at all (they would fetch URLs
and carry `onerror`; the page's CSP would block them too), no raw HTML beyond the
allow-list, links only to http(s)/mailto.
"""

import markdown
import nh3

from kb_assistant.chat.links import link_policy

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    html = markdown.markdown(link_policy().apply(text), extensions=["sane_lists", "fenced_code", "tables"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
