"""HTML reader: a page's visible body text as heading and paragraph blocks, each with its source line range."""

from __future__ import annotations

import re
import sys

from lxml import etree

from covenant.errors import BadInputError
from covenant.ingest.raw import RawDocument
from covenant.model import SourceLine
from covenant.publishers import STATE_DEPARTMENT

NO_TEXT = "HTML page with no readable text in its body"

# Never visible as text, or not part of a document's prose (controls, embedded objects, page chrome).
_DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "svg",
        "math",
        "template",
        "form",
        "button",
        "nav",
        "aside",
        "select",
        "option",
        "optgroup",
        "datalist",
        "textarea",
        "input",
        "label",
        "dialog",
        "canvas",
        "audio",
        "video",
        "map",
        "head",
        "title",
        "meta",
        "link",
        "base",
    }
)
_DROP_TAGS_STATE = frozenset(
    {
        "script",
        "style",
        "noscript",
        "iframe",
        "object",
        "embed",
        "svg",
        "template",
        "form",
        "button",
        "select",
        "option",
        "input",
        "textarea",
        "label",
    }
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements that start a new block; anything else is inline and joins the text around it.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "pre",
        "td",
        "th",
        "blockquote",
        "figcaption",
        "caption",
        "address",
        "summary",
        "legend",
        "html",
        "body",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "ul",
        "ol",
        "dl",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "figure",
        "details",
        "center",
        "hgroup",
        "fieldset",
        "hr",
        "menu",
        "search",
    }
)
# A block opened by one of these gives its kind to the anonymous text and the paragraphs inside it.
_CONTEXT_KIND = {"li": "li", "td": "td", "th": "td", "pre": "pre"}
_ARTICLE_TAGS = frozenset(("article", "main"))
# Blocks that can be taken in one step when they have no child elements.
_LEAF_TAGS = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "td",
        "th",
        "blockquote",
        "figcaption",
        "caption",
        "address",
    }
)

# class / id / role words that mark page chrome on generic pages.
_CHROME_WORDS = re.compile(
    r"(?<![a-z0-9])(?:menus?|menubar|navbar|navs?|navigation|breadcrumbs?|cookies?|consent|gdpr|"
    r"share|sharing|sharer|social|banners?|sidebar|side-bar|footer|header|masthead|skip-?links?|"
    r"skip-?to(?:-content)?|donate|donation|donations|subscribe|subscription|newsletter|related|"
    r"sr-only|visually-?hidden|screen-reader-text|popup|modal|advert|advertisement|ads?|promo|"
    r"comments?|btn)"
    r"(?![a-z0-9])",
    re.IGNORECASE,
)
_CHROME_ROLES = frozenset(
    {
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "menu",
        "menubar",
        "toolbar",
        "dialog",
        "alertdialog",
    }
)
_HEADER_WORDS = re.compile(r"(?<![a-z0-9])(?:header|masthead)(?![a-z0-9])", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAIN_REGION_SHARE = 0.95
_PROSE_MIN_WORDS = 15
# Beyond this many blocks a page is a data dump, not an article: skip the extractor's cost.
_TRAFILATURA_MAX_BLOCKS = 20_000
# libxml2's limits: the nesting it reads when told to go past 256 levels, the longest text run it takes unless told.
_MAX_DEPTH = 2048
_MAX_TEXT_RUN = 10_000_000
_DEPTH_ERROR = "Excessive depth"
_SKIP_LINK_TEXT = re.compile(r"^skip (?:to|navigation)\b", re.IGNORECASE)

# Zero-width characters and soft hyphens are invisible on the page; keeping them would split words.
_INVISIBLE_CHARS = "\u200b\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_INVISIBLE_ENTITY = re.compile(
    r"&(?:shy|ZeroWidthSpace|NoBreak|Negative\w*Space);"
    r"|&#(?:0*(?:8203|8288|65279|173)|[xX]0*(?:200[bB]|2060|[fF][eE][fF][fF]|[aA][dD]));"
)
_ABSOLUTE_URL = re.compile(r"^https?://", re.IGNORECASE)
_XML_DECL = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_WORD = re.compile(r"\w+")

# State Department Country Reports (state.gov, 2017-2022 layout).
_STATE_TITLE = re.compile(r"^(\d{4}) Country Reports on Human Rights Practices:\s*(.+)$")
_STATE_URL_YEAR = re.compile(r"/(\d{4})-country-reports-on-human-rights-practices/")
_STATE_PAGE_TITLE = re.compile(r"^(.+?) - (?:United States )?Department of State$")
_SECTION_NUMBER = re.compile(r"^Section \d+\.(?:\s|$)")
_READ_A_SECTION = re.compile(r"^read (?:a )?section\b", re.IGNORECASE)
_NAV_MARKS = "→|›»"
_LETTERED = re.compile(r"^[a-h]\.\s")
_ENDNOTE = re.compile(r"^Endnote\b")


class _Block:
    """One block as the walk found it, before levels and filtering."""

    __slots__ = ("el", "kind", "level", "line_end", "line_start", "link_chars", "text")

    def __init__(
        self,
        kind: str,
        level: int,
        text: str,
        line_start: int,
        line_end: int,
        el: etree._Element | None,
        link_chars: int,
    ) -> None:
        self.kind = kind  # heading | p | li | td | pre
        self.level = level  # for headings: the h1..h6 number, later the level in the report's tree
        self.text = text
        self.line_start = line_start
        self.line_end = line_end
        self.el = el  # the element the text sits in (a heading's class tells its rank on state.gov)
        self.link_chars = link_chars

    @property
    def chars(self) -> int:
        """Visible characters; wanted only for the blocks whose links or weight are weighed."""
        return len(self.text) - self.text.count(" ")


def read_html(path: str, text: str, encoding: str) -> RawDocument:
    """Read an HTML page into heading and paragraph blocks with their line ranges in the source.

    A State Department Country Reports page gives the blocks of its report body, with the report's
    own heading levels and its title, country and year as hints. Any other page is untrusted: page
    chrome, scripts and hidden text are dropped and trafilatura picks the main content. Each block's
    text, whitespace collapsed, lies within the tag-stripped source lines line_start..line_end.
    """
    if not text.strip():
        raise BadInputError(path, NO_TEXT)
    source = _without_xml_declaration(text)
    root = _parse(path, source)
    hints = _page_hints(root)
    body = root.find("body")
    if body is None:
        raise BadInputError(path, NO_TEXT)
    blocks: list[SourceLine] | None = None
    report_main = _state_report_main(body)
    if report_main is not None:
        blocks = _state_blocks(report_main, _has_invisible(text))
        if blocks is not None:
            hints.update(_state_hints(root, hints))
    if blocks is None:
        blocks = _generic_blocks(source, body)
    if not blocks:
        raise BadInputError(path, NO_TEXT)
    last_line = text.count("\n") + 1
    if max(b.line_end for b in blocks) > last_line:
        # libxml2 reads a lone CR as a line break; Covenant's lines are split on LF only.
        blocks = [_clamp(b, last_line) for b in blocks]
    return RawDocument(
        path=path,
        format="html",
        encoding=encoding,
        original=text,
        lines=blocks,
        blocks_are_paragraphs=True,
        hints=hints,
    )


def _without_xml_declaration(text: str) -> str:
    """lxml refuses str input that declares an encoding: blank the declaration, keep the line count."""
    decl = _XML_DECL.match(text)
    if not decl:
        return text
    return re.sub(r"[^\n]", " ", decl.group()) + text[decl.end() :]


def _parse(path: str, source: str) -> etree._Element:
    root, errors = _parse_with(path, source, huge=False)
    if any(_DEPTH_ERROR in message for message in errors):
        # libxml2 stops at 256 levels of nesting and drops the rest of the page; lifted (to 2,048), it reads on.
        root, errors = _parse_with(path, source, huge=True)
        if any(_DEPTH_ERROR in message for message in errors):
            raise BadInputError(
                path,
                f"nested more than {_MAX_DEPTH:,} elements deep, past what the HTML parser reads; "
                "a report page nests a few dozen, so this one is broken or built to stall parsers",
            )
        longest = max((len(t) for t in root.itertext()), default=0)
        if longest > _MAX_TEXT_RUN:  # the limit the first parse would have enforced, had it got that far
            raise BadInputError(
                path,
                f"too big for the HTML parser (a text run of {longest / 1e6:.0f} million characters); "
                "a report page has no single text run of 10 MB",
            )
    for message in errors:
        # libxml2 stops at a text run over 10 MB and drops the rest of the page without a word.
        if "limit" in message.lower():
            raise BadInputError(
                path,
                f"too big for the HTML parser ({message}); a report page has no single text run of 10 MB",
            )
    return root


def _parse_with(path: str, source: str, huge: bool) -> tuple[etree._Element, list[str]]:
    """The parsed page and the messages of the parser's fatal errors (each one lost the rest of the page)."""
    # lxml.etree's HTML parser, not lxml.html's: that one calls back into Python to pick a class
    # for every element the walk touches.
    parser = etree.HTMLParser(huge_tree=huge)
    try:
        root = etree.fromstring(source, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise BadInputError(path, f"cannot be parsed as HTML ({exc})") from exc
    if root is None:
        raise BadInputError(path, NO_TEXT)
    fatal = [
        f"{error.message.strip()} at line {error.line}"
        for error in parser.error_log
        if error.level == etree.ErrorLevels.FATAL
    ]
    return root, fatal


def _has_invisible(source: str) -> bool:
    """Whether the page can hold zero-width characters or soft hyphens, raw or as entities."""
    if any(ch in source for ch in _INVISIBLE_CHARS):
        return True
    return _INVISIBLE_ENTITY.search(source) is not None


def _collapse(text: str) -> str:
    return " ".join(_INVISIBLE.sub("", text).split())


def _collapse_plain(text: str) -> str:
    """For pages whose source holds no invisible characters (the check costs more than the join)."""
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# The walk: one pass over a subtree, keeping a running line number from the text's own newlines.
# ---------------------------------------------------------------------------------------------


class _Walker:
    """Collect blocks from a subtree; libxml2 gives each element's start line, text newlines give the rest."""

    def __init__(self, generic: bool, invisible: bool = True) -> None:
        self.generic = generic
        self.collapse = _collapse if invisible else _collapse_plain
        self.drop = _DROP_TAGS if generic else _DROP_TAGS_STATE
        self.blocks: list[_Block] = []
        self.line = 1
        self.parts: list[str] = []
        self.first = 0  # line of the first visible character in the buffer (0: none yet)
        self.last = 0
        self.seg_start = 0  # start line of the element that opened the buffer, if any
        self.kind = "p"
        self.level = 0
        self.el: etree._Element | None = None
        self.ctx = "p"
        self.inline_only = 0  # > 0 inside a heading or <pre>: nested blocks join its text
        self.link_depth = 0
        self.link_chars = 0
        self.article_depth = 0

    def add(self, s: str) -> None:
        line = self.line
        stripped = s.strip()
        if not stripped:
            self.line = line + s.count("\n")
            if self.parts:
                self.parts.append(" ")
            return
        if not self.first:
            self.first = line + s.count("\n", 0, len(s) - len(s.lstrip()))
        self.last = line + s.count("\n", 0, len(s.rstrip()))
        if self.link_depth:
            self.link_chars += len(stripped) - stripped.count(" ")
        self.parts.append(s)
        self.line = line + s.count("\n")

    def flush(self, end: int = 0) -> None:
        if self.first:
            text = self.collapse("".join(self.parts))
            if text:
                start = self.first
                if self.seg_start and self.seg_start < start:
                    start = self.seg_start
                end = max(end, self.last, start)
                self.blocks.append(_Block(self.kind, self.level, text, start, end, self.el, self.link_chars))
        if self.parts:
            self.parts = []
        self.first = self.last = self.seg_start = 0
        self.link_chars = 0

    def skip(self, el: etree._Element) -> None:
        """Move the line count past a dropped subtree without taking its text."""
        sl = el.sourceline
        if sl and sl > self.line:
            self.line = sl
        if el.tag.__class__ is not str:
            return  # a comment's or PI's line is where it ends
        if el.text:
            self.line += el.text.count("\n")
        for child in el:
            self.skip(child)
            if child.tail:
                self.line += child.tail.count("\n")

    def walk(self, el: etree._Element) -> None:
        tag = el.tag
        sl = el.sourceline
        if sl and sl > self.line:
            self.line = sl
        block = tag in _BLOCK_TAGS
        nested = block and self.inline_only > 0  # a block inside a heading or <pre> joins its text
        saved = None
        opens_inline = False
        if nested:
            self.parts.append(" ")
        elif block:
            self.flush()
            saved = (self.kind, self.level, self.el, self.ctx)
            level = _HEADINGS.get(tag, 0)
            if level:
                self.kind, self.level, self.el = "heading", level, el
                opens_inline = True
            else:
                ctx = _CONTEXT_KIND.get(tag)
                if ctx is not None:
                    self.ctx = ctx
                    opens_inline = ctx == "pre"
                self.kind, self.level, self.el = self.ctx, 0, el
            if opens_inline:
                self.inline_only += 1
            self.seg_start = self.line  # past 65535 libxml2 repeats 65535; the count goes on
        elif tag == "br":
            self.parts.append(" ")
        elif tag == "a":
            self.link_depth += 1
        article = self.generic and tag in _ARTICLE_TAGS
        if article:
            self.article_depth += 1

        text = el.text
        if text:
            self.add(text)
        drop = self.drop
        generic = self.generic
        add = self.add
        for child in el:
            ctag = child.tag
            if ctag.__class__ is not str:
                csl = child.sourceline  # comment, CDATA or PI: never text
                if csl and csl > self.line:
                    self.line = csl
            elif ctag in drop or (generic and self.is_chrome(child, ctag)):
                self.skip(child)
            elif len(child):
                self.walk(child)
            elif ctag in _LEAF_TAGS and not self.inline_only:
                self.leaf(child, ctag)
            elif ctag in _BLOCK_TAGS:
                self.walk(child)
            elif ctag == "br":
                self.parts.append(" ")
            else:  # an inline element with only text: <i>, <u>, <a> ...
                text = child.text
                if text:
                    csl = child.sourceline
                    if csl and csl > self.line:
                        self.line = csl
                    if ctag == "a":
                        self.link_depth += 1
                        add(text)
                        self.link_depth -= 1
                    else:
                        add(text)
            tail = child.tail
            if tail:
                if tail.isspace():  # the whitespace between blocks, most tails: only the line count moves
                    self.line += tail.count("\n")
                    if self.parts:
                        self.parts.append(" ")
                else:
                    add(tail)

        if article:
            self.article_depth -= 1
        if tag == "a":
            self.link_depth -= 1
        if nested:
            self.parts.append(" ")
        elif saved is not None:
            self.flush(self.line)
            if opens_inline:
                self.inline_only -= 1
            self.kind, self.level, self.el, self.ctx = saved

    def leaf(self, el: etree._Element, tag: str) -> None:
        """The common case, a paragraph or heading with no markup inside: no buffer needed."""
        if self.parts:
            self.flush()
        sl = el.sourceline
        line = self.line
        if sl and sl > line:
            line = sl
        text = el.text
        if text:
            newlines = text.count("\n")
            collapsed = self.collapse(text)
            if collapsed:
                level = _HEADINGS.get(tag, 0)
                kind = "heading" if level else _CONTEXT_KIND.get(tag, self.ctx)
                start = line
                self.blocks.append(_Block(kind, level, collapsed, start, line + newlines, el, 0))
            line += newlines
        self.line = line

    def is_chrome(self, el: etree._Element, tag: str) -> bool:
        """Generic pages: hidden elements, javascript: links and elements named as chrome."""
        get = el.get
        if get("hidden") is not None or get("aria-hidden") == "true":
            return True
        style = get("style")
        if style and _HIDDEN_STYLE.search(style):
            return True
        if tag == "a":
            href = get("href")
            return bool(href) and href.lstrip().lower().startswith("javascript:")
        role = get("role")
        if role and role.strip().lower() in _CHROME_ROLES:
            return True
        if tag == "header":
            return not self.article_header(el)
        if tag == "footer":
            return True
        names = " ".join(filter(None, (get("class"), get("id"))))
        if not names or not _CHROME_WORDS.search(names):
            return False
        if _HEADER_WORDS.search(names) and self.article_header(el):
            return False
        return tag not in ("html", "body", "main", "article")

    def article_header(self, el: etree._Element) -> bool:
        """A header inside an article or main that holds a heading is the article's own title block."""
        if not self.article_depth:
            return False
        return any(True for _ in el.iter("h1", "h2", "h3"))


def _walk(root: etree._Element, generic: bool, invisible: bool = True) -> list[_Block]:
    walker = _Walker(generic, invisible)
    # The walk recurses once per level of nesting, and a page may nest as deep as the parser reads.
    limit = sys.getrecursionlimit()
    if limit < _MAX_DEPTH + 1000:
        sys.setrecursionlimit(_MAX_DEPTH + 1000)
    try:
        walker.walk(root)
    finally:
        sys.setrecursionlimit(limit)
    walker.flush(walker.line)
    return walker.blocks


# ---------------------------------------------------------------------------------------------
# Page metadata
# ---------------------------------------------------------------------------------------------


def _page_hints(root: etree._Element) -> dict[str, str]:
    hints: dict[str, str] = {}
    head = root.find("head")
    meta: dict[str, str] = {}
    canonical = None
    title = None
    if head is not None:
        for el in head.iter("meta", "link", "title"):
            if el.tag == "meta":
                key = (el.get("property") or el.get("name") or "").strip().lower()
                value = _collapse(el.get("content") or "")
                if key and value and key not in meta:
                    meta[key] = value
            elif el.tag == "link":
                if canonical is None and "canonical" in (el.get("rel") or "").lower().split():
                    canonical = (el.get("href") or "").strip() or None
            elif title is None:
                title = _collapse("".join(el.itertext())) or None
    title = title or meta.get("og:title")
    if title:
        hints["title"] = title
    # A page saved from a web archive can carry a canonical link rewritten to a local file.
    urls = [u for u in (canonical, meta.get("og:url")) if u and _ABSOLUTE_URL.match(u)]
    if urls:
        hints["url"] = urls[0]
    for key, name in (
        ("site_name", "og:site_name"),
        ("modified", "article:modified_time"),
        ("published", "article:published_time"),
    ):
        if name in meta:
            hints[key] = meta[name]
    lang = (root.get("lang") or root.get("xml:lang") or "").strip()
    if lang:
        hints["lang"] = lang
    banner = _banner_heading(root)
    if banner:
        hints["site_heading"] = banner
    return hints


def _banner_heading(root: etree._Element) -> str | None:
    """The h1 of the page's own banner, outside any article: the site's or the publication's name
    ("World press freedom index 2014"), which a page whose <title> is only the site's name may hold alone."""
    body = root.find("body")
    if body is None:
        return None
    for h1 in body.iter("h1"):
        ancestors = list(h1.iterancestors())
        if any(a.tag in _ARTICLE_TAGS for a in ancestors):
            return None
        if any(a.tag == "header" or (a.get("role") or "").strip().lower() == "banner" for a in ancestors):
            return _collapse(" ".join(h1.itertext())) or None
        return None
    return None


# ---------------------------------------------------------------------------------------------
# US State Department Country Reports on Human Rights Practices (state.gov pages)
# ---------------------------------------------------------------------------------------------


def _state_report_main(body: etree._Element) -> etree._Element | None:
    for el in body.iter("section"):
        if "report__main" in (el.get("class") or "").split():
            return el
    return None


def _state_blocks(report_main: etree._Element, invisible: bool = True) -> list[SourceLine] | None:
    """The report body's blocks with the report's own heading levels; None if it is not that layout."""
    raw = _walk(report_main, generic=False, invisible=invisible)
    if not any(b.kind == "heading" and "report__section-title" in _classes(b.el) for b in raw):
        return None
    out: list[_Block] = []
    pending_number: _Block | None = None  # "Section 1." waiting for its title
    after_nav = False  # just past a pointer to the report's sub-pages or the page's tags
    for block in raw:
        if block.kind == "heading":
            cls = _classes(block.el)
            if _READ_A_SECTION.match(block.text):
                after_nav = True  # "Read a Section": links to the sub-pages (Hong Kong, Crimea ...)
                continue
            after_nav = False
            if "report-toc-section" in cls:
                if pending_number is not None:
                    out.append(_as_level(pending_number, 1))
                pending_number = block
                continue
            level = _state_level(block, cls)
            if pending_number is not None:
                if level == 1 and not _SECTION_NUMBER.match(block.text):
                    block = _merge(pending_number, block)
                else:
                    out.append(_as_level(pending_number, 1))
                pending_number = None
            out.append(_as_level(block, level))
            continue
        if pending_number is not None:
            out.append(_as_level(pending_number, 1))
            pending_number = None
        if _READ_A_SECTION.match(block.text) or block.text == "Tags":
            after_nav = True  # web-archive pages end the body with the page's tag links
            continue
        if _is_nav_links(block) and (after_nav or "→" in block.text):
            continue
        after_nav = False
        out.append(block)
    if pending_number is not None:
        out.append(_as_level(pending_number, 1))
    return [_source_line(b) for b in _tidy_top_headings(_subheads_under_letters(out))]


def _subheads_under_letters(blocks: list[_Block]) -> list[_Block]:
    """An unlettered subhead after a lettered subsection belongs to it, whatever the year's markup says.

    2019-2020 pages mark "Prison and Detention Center Conditions" up like "c. Torture ..." (a section
    subtitle); other years make it a smaller heading under 1.c. Both become level 3 under the letter, so
    passages there keep the code 1.c. A section without lettered subsections (Section 6) keeps its
    subheads at level 2.
    """
    lettered = False
    for block in blocks:
        if block.kind != "heading":
            continue
        if block.level == 1:
            lettered = False
        elif block.level == 2:
            if _LETTERED.match(block.text):
                lettered = True
            elif lettered:
                block.level = 3
    return blocks


def _classes(el: etree._Element | None) -> list[str]:
    return (el.get("class") or "").split() if el is not None else []


def _state_level(block: _Block, cls: list[str]) -> int:
    text = block.text
    if _SECTION_NUMBER.match(text) or _ENDNOTE.match(text):
        # also "Section 7." marked up as a subsection of Section 6 (Bangladesh 2022), and North
        # Korea's endnote, which some years put under Section 7
        return 1
    if _LETTERED.match(text):
        return 2  # "g. Abuses in Internal Conflict" marked up as a section title (2018)
    if "report__section-title" in cls:
        return 1
    if "report__section-subtitle" in cls:
        return 2
    # Unclassed headings inside the body: an h2/h3 stands for a lettered subsection, h4 and below
    # are the smaller subheads.
    return {1: 1, 2: 2, 3: 2, 4: 3, 5: 4, 6: 5}[block.level]


def _merge(number: _Block, title: _Block) -> _Block:
    """Merge the h4 "Section 1." and the h3 "Respect for the Integrity of the Person" into one heading."""
    text = f"{number.text} {title.text}"
    line_start = min(number.line_start, title.line_start)
    return _Block("heading", 1, text, line_start, max(number.line_end, title.line_end), title.el, 0)


def _as_level(block: _Block, level: int) -> _Block:
    block.level = level
    return block


def _is_nav_links(block: _Block) -> bool:
    """A paragraph made only of links, with at most arrows or bars between them."""
    if not block.link_chars:
        return False
    marks = sum(block.text.count(m) for m in _NAV_MARKS)
    return block.chars - block.link_chars <= marks


def _tidy_top_headings(blocks: list[_Block]) -> list[_Block]:
    """Drop an unnumbered top heading with nothing under it (UK 2020's stray "SENSITIVE BUT") and a
    top heading that repeats the one before it (Cambodia 2018 opens Section 2 twice): its text
    continues the same section."""
    out: list[_Block] = []
    previous_top: str | None = None
    for i, block in enumerate(blocks):
        if block.kind == "heading" and block.level == 1:
            if block.text == previous_top:
                continue
            if not _SECTION_NUMBER.match(block.text):
                following = blocks[i + 1] if i + 1 < len(blocks) else None
                if following is None or (following.kind == "heading" and following.level == 1):
                    continue
            previous_top = block.text
        out.append(block)
    return out


def _state_hints(root: etree._Element, hints: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    year = country = None
    for h1 in root.iter("h1"):
        match = _STATE_TITLE.match(_collapse("".join(h1.itertext())))
        if match:
            year, country = match.group(1), match.group(2)
            break
    if year is None:
        url_match = _STATE_URL_YEAR.search(hints.get("url", ""))
        title_match = _STATE_PAGE_TITLE.match(hints.get("title", ""))
        if url_match and title_match:
            year, country = url_match.group(1), title_match.group(1)
    if year is None or country is None:
        return found
    found["title"] = f"{year} Country Reports on Human Rights Practices: {country}"
    found["source_org"] = STATE_DEPARTMENT.name
    found["doc_type"] = "annual_country_report"
    found["country_name"] = country
    found["report_year"] = year
    return found


# ---------------------------------------------------------------------------------------------
# Any other page: untrusted input; trafilatura decides what is main content
# ---------------------------------------------------------------------------------------------


def _generic_blocks(source: str, body: etree._Element) -> list[SourceLine]:
    container = _main_container(body)
    blocks = [b for b in _walk(container, generic=True) if _WORD.search(b.text)]
    blocks = [b for b in blocks if not _SKIP_LINK_TEXT.match(b.text)]
    if not blocks:
        return []
    kept = _keep_by_trafilatura(source, blocks)
    if kept is None:
        kept = [b.kind == "heading" or not _is_short_link_line(b) for b in blocks]
    else:
        kept = _keep_in_main_region(container, blocks, kept)
        if container is not body:
            # trafilatura tends to take only the first of several sibling sections (a report split
            # into chapters); inside the page's declared <main> or <article>, prose is content.
            kept = [keep or _is_prose(b) for b, keep in zip(blocks, kept, strict=True)]
    kept = _keep_headings_with_content(blocks, kept)
    chosen = [b for b, keep in zip(blocks, kept, strict=True) if keep]
    ranks = {n: i + 1 for i, n in enumerate(sorted({b.level for b in chosen if b.kind == "heading"}))}
    for b in chosen:
        if b.kind == "heading":
            b.level = ranks[b.level]
    return [_source_line(b) for b in chosen]


def _main_container(body: etree._Element) -> etree._Element:
    """<main>, [role=main] or a lone <article>, when it holds a fair share of the page's text."""
    candidates = []
    for el in body.iter("main", "article", "div", "section"):
        tag = el.tag
        if tag == "main" or (el.get("role") or "").strip().lower() == "main":
            candidates.append(el)
    articles = list(body.iter("article"))
    if len(articles) == 1:
        candidates.append(articles[0])
    if not candidates:
        return body
    total = _text_size(body)
    for el in candidates:
        if total and _text_size(el) >= 0.3 * total:
            return el
    return body


def _text_size(el: etree._Element) -> int:
    return sum(b.chars for b in _walk(el, generic=True))


def _keep_by_trafilatura(source: str, blocks: list[_Block]) -> list[bool] | None:
    """Keep the blocks that trafilatura's main text contains; None when it finds no main text."""
    if len(blocks) > _TRAFILATURA_MAX_BLOCKS:
        return None
    try:
        import trafilatura

        extracted = trafilatura.extract(
            source,
            favor_recall=True,
            fast=True,  # its fallback extractors grow quadratically with the number of elements
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )
    except Exception:  # a third-party extractor failing on odd input must not lose the page
        extracted = None
    if not extracted or not extracted.strip():
        return None
    lines: set[str] = set()
    shingles: set[tuple[str, ...]] = set()
    for line in extracted.splitlines():
        for cell in line.split("|"):
            words = _WORD.findall(cell.lower())
            if words:
                lines.add(" ".join(words))
        words = _WORD.findall(line.lower())
        shingles.update(zip(words, words[1:], words[2:], strict=False))
    kept = []
    for block in blocks:
        words = _WORD.findall(block.text.lower())
        if len(words) < 3:
            kept.append(" ".join(words) in lines)
            continue
        grams = list(zip(words, words[1:], words[2:], strict=False))
        hits = sum(1 for g in grams if g in shingles)
        kept.append(hits >= 0.5 * len(grams))
    if not any(k for k, b in zip(kept, blocks, strict=True) if b.kind != "heading"):
        return None
    return kept


def _keep_in_main_region(container: etree._Element, blocks: list[_Block], kept: list[bool]) -> list[bool]:
    """Drop kept stray blocks (a widget's caption, a credits line) outside the one element that holds
    nearly all of the kept text; with no such element, keep everything."""
    weight: dict[etree._Element, int] = {}
    total = 0
    for block, keep in zip(blocks, kept, strict=True):
        if not keep or block.el is None:
            continue
        total += block.chars
        el = block.el
        while el is not None:
            weight[el] = weight.get(el, 0) + block.chars
            if el is container:
                break
            el = el.getparent()
    if not total:
        return kept
    region = container
    while True:
        heavy = [child for child in region if weight.get(child, 0) >= _MAIN_REGION_SHARE * total]
        if not heavy:
            break
        region = heavy[0]
    if region is container:
        return kept
    inside = set(region.iter())
    return [keep and (block.el in inside) for block, keep in zip(blocks, kept, strict=True)]


def _is_prose(block: _Block) -> bool:
    return (
        block.kind in ("p", "li")
        and block.text.count(" ") >= _PROSE_MIN_WORDS - 1
        and block.link_chars <= 0.3 * block.chars
    )


def _is_short_link_line(block: _Block) -> bool:
    return block.link_chars >= 0.9 * block.chars and len(block.text.split()) <= 8


def _keep_headings_with_content(blocks: list[_Block], kept: list[bool]) -> list[bool]:
    """Extractors often leave headings out: keep a heading whose own section keeps some text."""
    result = list(kept)
    for i, block in enumerate(blocks):
        if block.kind != "heading":
            continue
        has_content = False
        for later, keep in zip(blocks[i + 1 :], kept[i + 1 :], strict=True):
            if later.kind == "heading" and later.level <= block.level:
                break
            if keep and later.kind != "heading":
                has_content = True
                break
        result[i] = has_content
    return result


def _clamp(line: SourceLine, last_line: int) -> SourceLine:
    start = min(line.line_start, last_line)
    return SourceLine(line.text, -1, start, min(line.line_end, last_line), None, line.tag)


def _source_line(block: _Block) -> SourceLine:
    tag = f"heading:{block.level}" if block.kind == "heading" else block.kind
    return SourceLine(block.text, -1, block.line_start, block.line_end, None, tag)
