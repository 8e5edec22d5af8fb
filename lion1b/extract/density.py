"""Main-content extraction by block scoring on selectolax's lexbor DOM (the default extract_text engine).

The readability algorithm (score paragraph containers by text length and commas, damp them by link
density, nudge them by tag and class/id hints, keep the best container and its strong siblings) run over a
flat table of blocks built in one pass of the fast lexbor DOM. Everything after the walk works on plain
Python lists, so a retry without the "unlikely container" rule (readability's second pass for pages whose
article sits in a div named e.g. "widget" or "sidebar-layout") costs no second walk.
Measured on the 91-page article benchmark in bench/RESULTS.md: higher F1 than trafilatura at
several times its speed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

import ahocorasick
from selectolax.lexbor import LexborNode

# Never text: scripts, media, controls, and page chrome that HTML5 names as such.
SKIP_TAGS = {"head", "script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object", "embed",
             "picture", "video", "audio", "figure", "figcaption", "button", "select", "option", "textarea", "input",
             "label", "nav", "header", "footer", "dialog"}
# An image whose class names a formula is its formula, written in its alt text: Doxygen's "formulaInl" and
# "formulaDsp" ({\LaTeX}: "manual (in ) from" on 17 of Doxygen's manual pages), Sphinx's imgmath "math",
# MediaWiki's fallback images.
FORMULA_IMAGE_CLASSES = frozenset({"formulaInl", "formulaDsp", "math", "mwe-math-fallback-image-inline",
                                   "mwe-math-fallback-image-display"})
# Elements that start a new block of text; everything else is inline and joins its block's text.
BLOCK_TAGS = {"html", "body", "main", "article", "section", "aside", "div", "p", "pre", "blockquote", "center",
              "address", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
              "tbody", "tfoot", "tr", "td", "th", "caption", "form", "fieldset", "details", "summary", "hr"}
TAG_BONUS = {"div": 5, "article": 5, "main": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
             "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
             "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5}
# class/id hints, matched on the lower-cased "class id" string (after readability, plus modern site chrome)
UNLIKELY = re.compile(r"-ad-|\bads?\b|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|"
                      r"gdpr|cookie|consent|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|"
                      r"skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|newsletter|"
                      r"subscri|share|sharing|promo|outbrain|taboola|recommend|signup|modal|byline|author|"
                      r"caption|toolbar|navbar|nav(?:\b|_|igation)|masthead|trending|most-?popular|read-?more|"
                      r"more-?stories|visually-hidden|sr-only|(?<!pretty)print|\btoc\b|navheader|navfooter")
# Never an article's wrapper, even in readability's retry (a footer, a cookie notice, a breadcrumb, a pager):
# on a page of links (an index, a table of contents) the retry used to bring the copyright footer in.
CHROME = re.compile(r"footer|copyright|cookie|consent|gdpr|breadcrumb|navbar|pagination|pager\b")
SIDEBAR_LEVEL, UNLIKELY_LEVEL, CHROME_LEVEL = 1, 2, 3  # unlikely only by the name "sidebar" (see _revive)
# ARIA landmarks that are never the text: a Sphinx "related" bar or sidebar says role="navigation"
SKIP_ROLES = frozenset({"navigation", "contentinfo", "banner", "search", "menu", "menubar"})
MAYBE = re.compile(r"and|article|body|column|content|main|shadow|story|post|entry|text")
# A documentation comment, not a reader's: Scaladoc writes a class's description as div#comment.fullcommenttop
# and each member's as div.fullcomment / p.shortcomment.cmt. As readers' comments, all of HashMap's were
# unlikely and its page came out as the list of its ancestors (184 of Scala's 1,279 content pages dropped).
# They still weigh as "comment": unweighed, one member's long comment outscored the member list around it.
DOC_COMMENT = re.compile(r"(?:full|short)comment|\bcmt\b")
# "body" and "text" weigh at the start of a name or after a separator ("post-body", "card-body", "storytext"
# starts with "story"): LibreOffice's help names a command's menu-path box "howtogetbody" and its notes
# "notetext", and such a box of one line won the page (22 of 294 English command pages came out under half
# of trafilatura's text)
POSITIVE = re.compile(r"article|(?<![a-z])(?:body|text)|content|entry|hentry|h-entry|main|page|post|blog|story|"
                      r"paragraph")
NEGATIVE = re.compile(r"-ad-|hidden|banner|combx|comment|com-|contact|foot|footnote|gdpr|masthead|media|meta|"
                      r"outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|"
                      r"tool|widget|caption|byline|author|credit")


class RegexGate:
    """Named regexes, each behind literals of which every match of it holds one: one Aho-Corasick scan of a
    text (pyahocorasick, as in the keyword filter) says which regexes can match it, and only those run. A
    class name new to the cache ran three alternations of dozens of words, and most of them match nothing."""

    def __init__(self, gated: dict[str, tuple[re.Pattern[str], tuple[str, ...]]]) -> None:
        self.regex = {name: regex for name, (regex, _) in gated.items()}
        self.literals = {name: words for name, (_, words) in gated.items()}
        self.automaton = ahocorasick.Automaton()
        for name, words in self.literals.items():
            for word in words:
                self.automaton.add_word(word, self.automaton.get(word, frozenset()) | {name})
        self.automaton.make_automaton()

    def matching(self, text: str) -> set[str]:
        """The names of the regexes that match ``text``."""
        possible: frozenset[str] = frozenset()
        for _, names in self.automaton.iter(text):
            possible = possible | names if possible else names
        return {name for name in possible if self.regex[name].search(text)}


# Every match of each class-hint regex holds one of its literals (a test checks it): "ad" for \bads?\b,
# "popular" for most-?popular, "nav" for navbar and nav(?:\b|_).
HINTS = RegexGate({
    "unlikely": (UNLIKELY, (
        "ad", "banner", "breadcrumb", "combx", "comment", "community", "cover-wrap", "disqus", "extra", "footer",
        "gdpr", "cookie", "consent", "header", "legends", "menu", "related", "remark", "replies", "rss", "shoutbox",
        "sidebar", "skyscraper", "social", "sponsor", "supplemental", "agegate", "pagination", "pager", "popup",
        "newsletter", "subscri", "share", "sharing", "promo", "outbrain", "taboola", "recommend", "signup", "modal",
        "byline", "author", "caption", "toolbar", "nav", "masthead", "trending", "popular", "read", "stories",
        "visually-hidden", "sr-only", "print", "toc")),
    "chrome": (CHROME, ("footer", "copyright", "cookie", "consent", "gdpr", "breadcrumb", "navbar", "pagination",
                        "pager")),
    "maybe": (MAYBE, ("and", "article", "body", "column", "content", "main", "shadow", "story", "post", "entry",
                      "text")),
    "doc_comment": (DOC_COMMENT, ("comment", "cmt")),
    "positive": (POSITIVE, ("article", "body", "text", "content", "entry", "main", "page", "post", "blog", "story",
                            "paragraph")),
    "negative": (NEGATIVE, (
        "-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "foot", "gdpr", "masthead", "media",
        "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor",
        "shopping", "tags", "tool", "widget", "caption", "byline", "author", "credit")),
})


SPACES = re.compile(r"[ \t\n\r\f\v\u00a0]+")  # typographic spaces (U+202F, U+3000) are text: kept
SOURCE_SPACES = re.compile(r"[ \t\n\r\f\v]+")
# A zero-width space beside ASCII is a line-break hint, never text: Javadoc 11 writes one before every
# "(" of a signature ("HttpStatusException\u200b(java.lang.String message"), which a model would learn to
# emit in code. Between Thai or Khmer letters it marks a word boundary and stays.
ZERO_WIDTH_BY_ASCII = re.compile(r"\u200b(?=[!-~])|(?<=[!-~])\u200b")
# What a page shows only to a browser without JavaScript, like <noscript>: Haddock's "Instance details"
# toggle (<summary class="hide-when-js-enabled">) sat above every instance, 4,581 lines of GHC's base.
NO_JS_ONLY = re.compile(r"\bhide-(?:when|if)-js(?:-enabled)?\b|\bjs-hide\b|\bno-js-only\b")
# ... and the members a class inherits, which its page folds away as it loads: gi-docgen's "default-hide
# ancestor-methods" toggles (GtkWidget's 155 methods and their summaries on every widget's page) outweighed the
# class's own text, and 40 of GTK 4's 352 class pages lost their description. Other folded toggles are the
# class's own (its "Class structure", the struct of virtual methods, is code) and stay.
INHERITED = re.compile(r"\bancestor-(?:methods|properties|signals)\b")
# ... and a toggle's label that its stylesheet hides while the toggle is open: rustdoc's
# <summary class="hideme"><span>Expand description</span></summary> over every item's description, open
# from the start (1,257 of 2,138 pages of alloc and std, one line each). A closed toggle shows it: "This enum
# is marked as non-exhaustive" stays.
TOGGLE_LABEL_CLASSES = frozenset({"hideme"})
# An element named for line numbers: YARD's <pre class="lines">, Pygments' <td class="linenos">, Rouge's gutter
GUTTER_CLASS = re.compile(r"line-?no|\blines\b|line-numbers|gutter")
LINE_NUMBER_CHARS = "0123456789 \t\n\u00a0"
BR = "\0"  # stands for <br> until whitespace is collapsed (the parser drops real NULs from text)
# Markdown only: where inline code (INLINE_CODE_TAGS) opens and closes in a chunk's text, written as backticks
CODE_OPEN, CODE_CLOSE = "\ue000", "\ue001"
CODE_MARKS = re.compile("[\ue000\ue001]")
CODE_SPAN = re.compile("\ue000([^\ue000\ue001]*)\ue001")
SPACE_AFTER_OPEN = re.compile("\ue000([ \t\n\r\f\v\u00a0]+)")
SPACE_BEFORE_CLOSE = re.compile("([ \t\n\r\f\v\u00a0]+)\ue001")
# Between links, a menu line has only separators: "top | back | next | contents" above and below every chapter of the
# Haskell report, written as a <br>-ended line of the chapter's text, and a table cell is such a line too: fpdoc (Free
# Pascal's reference) opens every page with a bar row "[Overview][Types][Classes][Index] | Reference for unit 'Classes'
# (#rtl)", under the row link limit: the first line of 1,701 of its 1,896 kept pages. Square brackets are separators
# when they enclose every link (BRACKETED): in a grammar they mark what is optional (the Ada manual's "simple_expression
# [relational_operator simple_expression]", all three linked). Parentheses, arrows and commas never are: ") ->
# Result<(), E>" is code.
# a call with its arguments: "monkeypatch.setattr(obj, name, value, raising=True)", "pytest_ignore_collect(
# collection_path: pathlib.Path)"; not "os.getcwd()"
LINKED_SIGNATURE = re.compile(r"[A-Za-z_][\w.]*\((?=[^()]*\w)[^()]*\)")
NAV_SEPARATORS = re.compile(r"[\s|·•/»«–—\[\]-]*")
BRACKETED = re.compile(r"[\s|]*(?:\[[^\[\]]*\][\s|]*)+")
MIN_PARAGRAPH_CHARS = 25  # shorter blocks (labels, dates, buttons) do not vote for a container
# Commas stand for a paragraph's clauses; a line of code votes with at most this many. ImageMagick's string.c
# and locale.c pages open with a 256-entry table initializer (12 commas a line), which alone outscored the
# page and was all that came out (1,686 of string.c's 11,981 characters). Over 9,687 pages (the article set
# and 22 documentation sites): a cap of 1 also cost rustdoc's ArrayWindows its description (an edge of
# select's 0.75 rule), 2 to 4 change only those two pages, 6 and up change none.
CODE_LINE_COMMAS = 3
SIBLING_PARAGRAPH_CHARS, SIBLING_PARAGRAPH_LINKS = 80, 0.25  # readability's rule for <p> siblings of the best
RETRY_BELOW_CHARS = 500  # readability's threshold for "the strict pass found too little, relax the rules"
MAX_HINT_CACHE = 100_000
VERBATIM_TAGS = {"pre", "listing", "xmp", "plaintext"}  # whitespace is content: code, shell sessions, ASCII art
# Doxygen writes code, its source listings and the examples in its pages, as <div class="fragment"> of <div
# class="line"> (a <span class="lineno"> first in a listing), its CSS keeping the spaces: read as a <pre>. As
# blocks, every line was a line of prose (ImageMagick's headers without indentation, their comments dropped
# as readers' comments, their linked lines as link lists, "18#ifndef MAGICKCORE_COMPRESS_H" numbered).
CODE_TAGS = VERBATIM_TAGS | {"code"}
# Code written before <pre> was the norm: a paragraph that is all <code>/<tt> with <br> line ends (the
# Apache manual's older examples and translations). At this share of its characters inside such elements,
# a block with a <br> is code: its lines are kept, and the filter reads it as code, not prose.
INLINE_CODE_TAGS = frozenset({"code", "tt", "samp", "kbd"})
INLINE_CODE_CLASS = "mw-geshi"  # ... and MediaWiki's highlighted <span>: cppreference's declarations in cells
BR_CODE_SHARE = 0.9
# A block that opens with "name ::=" is a grammar's production, code: the Ada manual writes its syntax as
# <br>-ended lines indented with &nbsp; in a <div>, every nonterminal linked, and as prose the links made most
# productions of several lines a link list, dropped (7 of the 9 on the page on expressions). XML's numbered
# productions ("[1] document ::= prolog element Misc*") are such blocks too.
PRODUCTION = re.compile(r"\s*(?:\[\d+\]\s*)?[\w<>'.-]+\s*::=")
# Code that a generator writes outside <pre>/<code> and names by class: Haddock's signatures (<p class="src">,
# a synopsis entry <li class="src short">, an instance head <td class="src">), Scribble's (Racket) signature
# boxes (<table class="boxed RBoxed">) and code (<blockquote class="SCodeFlow">: a <p>, or <table
# class="RktBlk">, one row per line indented with &nbsp;). As prose, a module page of signatures was scored
# Swedish ("writeSTRef :: STRef s a -> a -> ST s ()"), Racket's "(boolean? v) → boolean?", two self-links,
# was dropped as a link list, and Redex's model solutions, all code, as Cebuano. A block of class "code"
# (SiSU's <p class="code"> in the Live Systems manual: <br>-ended lines indented with &nbsp;) lost its
# indentation, a directory tree came out flat. RDoc's method heading (<div class="method-heading">: its name and
# arguments, "new(file, dir = nil, path = nil, lineno = 1)") is a signature: as prose, a page of them read as
# Italian. rustdoc's signatures (<h4 class="code-header">) are code too: their type names are links, and as
# prose the ones over half link text went ("type Error = Infallible", "fn size_hint(&self) -> (usize,
# Option<usize>)": 19,627 lines on 857 of 2,138 pages of alloc and std), and their where-clauses lost the
# indentation rustdoc gives them.
CODE_CLASS = re.compile(r"(?:^|\s)(?:src|RBoxed|SCodeFlow|RktBlk|code|method-heading|code-header)(?:\s|$)")
LIST_TAGS = {"ul", "ol"}
# A list item, or a definition: its chunks are judged for links together (see select). gi-docgen describes a
# parameter as <dd><p><em>Type:</em> <a>GtkEntryIconPosition</a></p><p>Icon position.</p></dd>; alone, the
# type's line is 77% link text, and every parameter lost its type. A definition is also judged with its term
# (<dt>): debmake-doc describes "debian/copyright" in Chinese as "版權和許可證摘要資訊（參看 Section 5.9,
# “debian/copyright”）", 54% link text alone (the English, in more letters, 44%), and lost it.
ITEM_TAGS = frozenset({"li", "dd"})
CELL_TAGS = {"td", "th"}
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534  # HTML's limits; rowspan="0" spans the rest of the table
LEADING_DIGITS = re.compile(r"\s*(\d+)")  # how a browser reads a span: "3", " 2 ", "2px"
CELL_DIVS = 2  # divs between a <div> of text and its cell that still make it a cell of the row (_cell)
# Javadoc (JDK 16 and later) lays out its summary tables as a grid of <div>s, one per cell, header cells first:
# <div class="summary-table three-column-summary">. Read as a table of that many columns, a method's return
# type, name and description stay one row ("int | port() | Returns the port."), not three lines of which the
# name, a link, went as navigation.
GRID_TABLE = re.compile(r"\b(two|three|four)-column-summary\b")
GRID_COLUMNS = {"two": 2, "three": 3, "four": 4}
HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# what a text chunk is, for rendering and for the filter's code-aware rules
TEXT, CODE = 0, 1
EDGE_CHARS = 60  # shorter lines at the edges of the kept text are trimmed unless they end a sentence
WIDEN_SHARE = 0.2  # see select(): the kept container holds at least this share of the ancestor's text
MAIN_SHARE = 0.5  # widen to the <main> around the kept block when that holds less than this share of it
MAIN_MAX_LINKS = 0.75  # ... and what <main> adds is at most this much link text (an index page: 0.85-0.99)
WIDEN_MAX_LINKS = 0.2  # ... and what widening adds is at most this much link text
WIDEN_LINK_SLACK = 25  # ... or this many characters of it: a lone "see docs" beside the kept block
MAX_LINK_SHARE = 0.5  # a kept text block is at most this much link text
MAX_ROW_LINK_SHARE = 0.8  # ... and a table row at most this much
# ... and a paragraph that ends a sentence this much: its links are cross-references ("The GeoIP2 object is a
# wrapper for the MaxMind geoip2 Python library. [1]", 51% link text, opened Django's GeoIP2 page)
MAX_SENTENCE_LINK_SHARE = 0.65
SENTENCE_END = re.compile(r"[.!?。！？](?:[”\"」』)]|\s*\[\w{1,3}\])*$")  # "... library. [1]": a footnote mark after it
MAX_EDGE_LINES = 3  # a dateline, a byline, a tag row: more short lines than that are content (a table, a list)
LEAD_IN_WORDS = 4  # "Tags:", "Filed under:" are labels; a colon after 4 words (2 CJK characters: 1) ends a lead-in
TITLE_PARTS = re.compile(r"\s+(?:[-|–—·:»]|::)\s+")  # "Page - Site", "Page | Site", "Page — Site"
# a link to a site's home page: its root, or the root's index page (not a heading's own "#anchor", nor a
# page of the site by query, "/?p=12")
HOME_HREF = re.compile(r"(?=[^#])(?:(?:[a-z][a-z0-9+.-]*:)?//[^/?#]+)?/?(?:index\.\w+)?(?:#.*)?", re.IGNORECASE)
NAME_LINE = re.compile(r"(.+?)\s[—–-]\s+\w")  # "SELECT, TABLE, WITH — retrieve rows ...": names, a dash, a summary
TERMINAL_PUNCTUATION = (".", "!", "?", "”", '"', "。", "！", "？", "」", "』")
# Admonition boxes (DocBook div.note/.tip/.warning/.caution/.important, Sphinx/MkDocs div.admonition, the
# Pallets theme's <details class="changelog">, "Changelog" 178 times in Werkzeug's 15 API pages): their
# label ("Note", "Tipp", "注記") is a title element of its own, which alone would be one of the most repeated
# lines of a manual. It becomes the prefix of the box's first paragraph instead: "Note: If you have ...". So
# does the title of a version note's <div> (ANNOTATION_CLASSES): Django writes <div class="versionchanged"><span
# class="title">Changed in Django 3.2:</span> <p>The no_key argument was added.</p> (alone 69 times in 39
# pages), rustdoc <div class="stab deprecated">👎 Deprecated since 1.33.0: <p>superseded by trim_start</p>.
ADMONITION_CLASSES = frozenset({"note", "tip", "warning", "caution", "important", "admonition", "hint", "changelog",
                                "attention", "danger"})
MIN_INDEX_ROWS = 3  # a table that lost this many rows of links and kept none is an index (see select)
MIN_TEXT_ROWS = 2  # a table with this many rows of text, one of them with links, keeps its rows of links
LABEL_CHARS = 40  # a label longer than this is a sentence or a heading, never merged
# a label: one or two words and a colon ("since: 4.8", "Release date: 2022-10-13"), not a summary with a colon
# further on ("File (#rtl.baseunix.stat record) mode: Block device")
LABEL = re.compile(r"\S+(?: \S+)?[:：]\s")
# A heading's permalink ("¶" after every Sphinx heading and API signature, "#" on Hugo, "§", an icon font's
# private-use glyph on MkDocs' readthedocs theme) or a footnote's "↩": an in-page link whose whole text is
# one or two characters, neither a letter nor a digit, is a mark, not text ("[1]" is kept).
PERMALINK_CHARS = 2
# Elements whose id is the slug of their heading or term, a link target named after the text ("new-features-
# related-to-type-hints", "print-header", DocBook's "GUC-SHARED-BUFFERS" on the term of a variable list), never
# a name for page chrome: their id is not a class hint.
SLUG_ID_TAGS = frozenset({"section", "h1", "h2", "h3", "h4", "h5", "h6", "dt"})
# The class names DocBook, AsciiDoc, docutils and Texinfo give a section's <div>: one per heading, like HTML5
# <section>. Texinfo's makeinfo nests a page's subsections in its section: Maxima's manual puts a section of
# 7 subsections, 35 functions, on one page, and the text kept one subsection (6,068 of 27,153 characters).
# DocBook's divisions of a book are sections too: CLISP's implementation notes, a book of 5 parts on one page
# (663,029 characters by trafilatura), kept 2 of its parts (248,000): a part scores only the paragraphs within
# three levels, and the one that won was a fifth of the book, too small to widen to it.
SECTION_CLASSES = frozenset({"section", "sect1", "sect2", "sect3", "sect4", "sect5", "refsect1", "refsect2",
                             "refsect3", "simplesect", "chapter", "part", "partintro", "preface", "reference",
                             "refentry", "glossary", "bibliography", "colophon", "subsection", "subsubsection",
                             "appendix", "appendixsec", "appendixsubsec", "appendixsubsubsec", "unnumbered",
                             "unnumberedsec", "unnumberedsubsec", "unnumberedsubsubsec"})

# The names documentation generators give a reference to a GUI element inside a sentence ("choose
# <span class="guimenuitem">Manual</span> from the menu"): DocBook's guimenu, guimenuitem, guibutton,
# guilabel, menuchoice; Sphinx's menuselection and guilabel; Asciidoctor's menuseq, <b class="menu">,
# submenu, menuitem. On an inline element they are text, never the page's menu.
GUI_CLASS = re.compile(r"gui\w*|menu(?:choice|selection|seq|ref|item)?|submenu")

# Sphinx's links to a definition's source ("[source]" after every signature, "[docs]" on the source pages),
# gi-docgen's ("Description [src]" over every symbol's text: the link in the heading, 5 characters, kept the
# text from widening past the description to the declaration, parameters and return value) and RDoc's "click
# to toggle source" label beside every method's signature, and Nim's "Source Edit" (links to the module's code on
# GitHub and its edit page) under every symbol, 1,651 lines in 123 of its 231 pages
SOURCE_LINK_CLASSES = frozenset({"viewcode-link", "viewcode-back", "srclink", "method-click-advice", "link-seesrc"})
# ... and other marks that are not text: DocBook XSL's "[D]" under a figure with a long description
# (html.longdesc), a link to the page that holds it, 31 lines in 12 of aptitude's 90 chapters in each of its 8
# languages; the Ada reference manual's paragraph numbers ("2/2") in the margin, 21% of its lines; cppreference's
# "Run this code" over the examples of 1,835 pages, a button drawn as a <div> (any class naming a button was tried:
# it cost the article set 0.003 F1, a news page's share button had kept its "Most popular" rail out); MediaWiki's
# article message boxes (Wikipedia's {{ambox}} templates, "This section is incomplete / Reason: no example" under
# the Example heading of 405 cppreference pages): notes to the wiki's editors; Doxygen's tooltips (div.ttc, a
# symbol's declaration and "Definition: compress.c:265", shown on hover) under every source listing; rustdoc's
# right-aligned stability mark and source link beside every method (span.rightside), which came out as a line
# of its own once the link went ("1.0.0 ·", "const: unstable ·": 41,008 in 2,138 pages of alloc and std)
NOT_TEXT_CLASSES = SOURCE_LINK_CLASSES | {"longdesc-link", "paranum", "coliru-btn", "ambox", "ttc", "rightside"}
SWITCH_CLASSES = frozenset({"switch", "switchinline"})  # LibreOffice's help: alternatives (_default_alternative)
# ... and every generator's: a relative link into the site's source browser whose text only says so. Haddock
# ends each signature with one ("mzip :: m a -> m b -> m (a, b) Source", 2,490 in GHC's base), rustdoc puts
# "source" beside each item. A link to code hosted elsewhere ("read the <a>source</a> on GitHub") is prose.
SOURCE_LINK_TEXT = frozenset({"source", "[source]", "src", "[src]"})
# A link that only says there is more, at the end of a paragraph: rustdoc's "Read more" after each
# method's summary (37,940 lines on 677 of 2,138 pages of alloc and std), Doxygen's "More..." after each
# brief description (3,008 lines in 800 of FFmpeg's API pages). A control, like "Close": it is not written,
# but it is scored as the link it is (a news page's rail of teasers, each ending "Read more", must stay a
# list of links).
MORE_LABELS = frozenset({"read more", "read more...", "read more…", "more...", "more…", "continue reading"})
SOURCE_LINK_HREF = re.compile(r"^(?![a-z][a-z0-9+.-]*:|//)(?:[^?#]*/)?(?:src|_modules|_source)/")

_hint_cache: dict[str, tuple[int, int, bool, bool]] = {}
NO_HINT = (0, 0, False, False)
GUTTER, CODE_BY_CLASS = 1, 2  # _code_names' bits
HIDDEN_BY_CLASS, NOT_TEXT, CLASSIFIER, BOXED, GRID, FRAGMENT, TOGGLE_LABEL = 4, 8, 16, 32, 64, 128, 256  # _class_bits
TOC_ONLY = 512  # ... and a class that is unlikely only by the name "toc" (see _not_a_toc)
FOOTNOTES = 1024  # ... and a block of footnotes (see FOOTNOTE_CLASSES)
# makeinfo writes a node's footnotes in a <div class="footnote"> after the node's own <div>: beside the text,
# not in it, and "foot" weighs as a page footer (libgcrypt's and autoconf's 11 footnotes were all dropped)
FOOTNOTE_CLASSES = frozenset({"footnote", "footnotes"})
ANNOTATION, RUN_IN = 2048, 4096  # ... and a note on the entry it sits in (see ANNOTATION_CLASSES)
# Notes on an entry: Sphinx's version notes (div.versionadded "New in version 3.2.", .versionchanged,
# .deprecated) that are their label alone (with text after it, "Changed in version 3.6: Accepts a path-like
# object.", the label ends in a colon) and CPython's C-API notes (em.refcount "Return value: New reference.",
# em.stableabi "Part of the Stable ABI."; inline, RUN_IN: a block of their own so that they can be told apart).
# The same few words on hundreds of entries: alone on their lines they were 3.1% of the Python manual's prose
# lines, "Part of the Stable ABI." on 307 of them. Such a note of one line joins its entry's paragraph (_notes).
ANNOTATION_CLASSES = frozenset({"versionadded", "versionchanged", "deprecated", "versionremoved"})
RUN_IN_CLASSES = frozenset({"refcount", "stableabi"})
NOTE_CHARS = 80  # a note longer than this is a paragraph of its own
LABEL_END = re.compile("[:：]")  # Sphinx: "New in version 3.2." alone, "Changed in version 3.6: ..." with text
# Inline labels a stylesheet draws as separate boxes: Doxygen's member labels, <span class="mlabel">inline</span>
# <span class="mlabel">noexcept</span> with nothing between them, read "inlinenoexcept" (686 lines on 80 of
# libstdc++'s pages, "inlinestatic" on 51 of ImageMagick's)
BOXED_CLASSES = frozenset({"mlabel"})
_bits_cache: dict[str, int] = {}
PRINTED_URL = 2  # a stack entry's link flag for a link that prints its own address (_printed_url)
# what every name of GUTTER_CLASS or CODE_CLASS contains: one cheap test before the two regexes
CODE_NAME_PARTS = re.compile(r"src|line|gutter|RBoxed|SCodeFlow|RktBlk|code|method-heading")


def _class_hint(key: str) -> tuple[int, int, bool, bool]:
    """(weight, unlikely level, admonition, section) for a "class id" string. Memoised: sites repeat their
    class names on every page, and the regexes are most of the cost of a cold page."""
    hint = _hint_cache.get(key)
    if hint is None:
        low = key.lower()
        found = HINTS.matching(low)
        weight = (25 if "positive" in found else 0) - (25 if "negative" in found else 0)
        level = 0
        # docutils marks what it writes of the document ("orm-header docutils container": a container directive,
        # SQLAlchemy's boxes of Core-only and ORM-only text): never the site's chrome
        if "unlikely" in found and "maybe" not in found and "doc_comment" not in found and "docutils" not in low:
            level = (CHROME_LEVEL if "chrome" in found else UNLIKELY_LEVEL
                     if "sidebar" not in low or UNLIKELY.search(low.replace("sidebar", " ")) else SIDEBAR_LEVEL)
        names = low.split()
        hint = (weight, level, not ADMONITION_CLASSES.isdisjoint(names), not SECTION_CLASSES.isdisjoint(names))
        if len(_hint_cache) >= MAX_HINT_CACHE:
            _hint_cache.clear()
        _hint_cache[key] = hint
    return hint


def _linked_signature(node: LexborNode) -> bool:
    """Whether a link is inline code that spells a call with its arguments, linked to its documentation: the
    API it names, which a list shows as its content ("provides these helper methods to safely patch and mock
    functionality in tests:" over `monkeypatch.setattr(obj, name, value, raising=True)` and eight more, all
    dropped as a list of links on pytest's page). A menu names what it links to, without arguments."""
    first = next(node.iter(), None)
    if first is None or first.tag not in INLINE_CODE_TAGS:
        return False
    text = node.text(deep=True)
    return "(" in text and LINKED_SIGNATURE.fullmatch(" ".join(text.split())) is not None


def _not_a_toc(node: LexborNode) -> bool:
    """Whether a list named "toc" is mostly not link text, so no table of contents: texi2html 1.78 writes
    every itemized list as <ul class="toc"> (gettext's encodings by language, xgettext's keywords by
    language: 10 lists, 71 items on 5 of its chapters were dropped)."""
    links = sum(_size("".join(a.text(deep=True).split())) for a in node.css("a[href]"))
    return links <= MAX_LINK_SHARE * _size("".join(node.text(deep=True).split()))


def _doxygen_lines(node: LexborNode) -> bool:
    """Whether a div.fragment is Doxygen's code: a <div class="line"> a line (see VERBATIM_TAGS)."""
    first = next(node.iter(), None)
    return first is not None and first.tag == "div" and "line" in (first.attributes.get("class") or "").split()


def _code_names(cls: str) -> int:
    """GUTTER when a block's class names line numbers (GUTTER_CLASS), | CODE_BY_CLASS when it names code
    (CODE_CLASS)."""
    return (GUTTER if GUTTER_CLASS.search(cls) else 0) | (CODE_BY_CLASS if CODE_CLASS.search(cls) else 0)


def _class_bits(cls: str) -> int:
    """What a class attribute says besides its weight, memoised like _class_hint: _code_names' bits, and
    HIDDEN_BY_CLASS (NO_JS_ONLY, INHERITED), NOT_TEXT (NOT_TEXT_CLASSES), CLASSIFIER (docutils' type), BOXED
    (BOXED_CLASSES), GRID (GRID_TABLE), FRAGMENT (Doxygen's code, see VERBATIM_TAGS), TOGGLE_LABEL
    (TOGGLE_LABEL_CLASSES), TOC_ONLY, FOOTNOTES, ANNOTATION, RUN_IN. A substring test before each regex: most
    names hold none."""
    bits = _bits_cache.get(cls)
    if bits is None:
        names = cls.split()
        bits = ((_code_names(cls) if CODE_NAME_PARTS.search(cls) else 0)
                | (HIDDEN_BY_CLASS if ("js" in cls and NO_JS_ONLY.search(cls))
                   or ("ancestor-" in cls and INHERITED.search(cls)) else 0)
                | (TOGGLE_LABEL if not TOGGLE_LABEL_CLASSES.isdisjoint(names) else 0)
                | (NOT_TEXT if NOT_TEXT_CLASSES.intersection(names) else 0)
                | (CLASSIFIER if "classifier" in names else 0)
                | (BOXED if BOXED_CLASSES.intersection(names) else 0)
                | (GRID if "-column-summary" in cls and GRID_TABLE.search(cls) else 0)
                | (FRAGMENT if "fragment" in names else 0)
                | (FOOTNOTES if FOOTNOTE_CLASSES.intersection(names) else 0)
                | (ANNOTATION if ANNOTATION_CLASSES.intersection(names) else 0)
                | (RUN_IN if RUN_IN_CLASSES.intersection(names) else 0)
                | (TOC_ONLY if "toc" in names and not UNLIKELY.search(" ".join(n for n in names if n != "toc").lower())
                   else 0))
        if len(_bits_cache) >= MAX_HINT_CACHE:
            _bits_cache.clear()
        _bits_cache[cls] = bits
    return bits


def reset_hint_cache() -> None:
    """Forget the memoised class hints (benchmarks time cold pages with it)."""
    _hint_cache.clear()
    _bits_cache.clear()


_WIDE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _size(text: str) -> int:
    """Characters, a Han/Kana/Hangul character counting double: it carries about what two Latin letters do,
    so a Latin link inside Japanese prose does not look like most of its paragraph."""
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


def _mark(text: str) -> bool:
    """Whether a link's text is a permalink or footnote mark (see PERMALINK_CHARS)."""
    return len(text) <= PERMALINK_CHARS and not any(c.isalnum() for c in text)


def _not_text_link(href: str, node: LexborNode, page_title: str | None) -> bool:
    """A link whose text is not the page's: a script's control (href "#" or "javascript:": "collapse",
    "Close", "☰", like a <button>), a permalink or footnote mark (see _mark), a source link (SOURCE_LINK_*).
    A script's link around code names an identifier: gi-docgen links a type in another library's docs as
    <a href="javascript:void(0)" data-link=...><code>GdkRGBA</code></a> ("Type: GdkRGBA" lost its type). In a
    heading (``page_title``: the <title> then, else None), a link to "#" that the <title> names is the page's
    name, not a control: rustdoc's h1 "Struct alloc::slice::<a href="#">IterMut</a>" under the title "IterMut in
    alloc::slice - Rust" made every item page's title "Struct alloc::slice::"; YARD's "collapse" stays out."""
    if href[0] == "#":
        text = (node.text(deep=True) or "").strip()
        if len(href) == 1:
            return not (page_title and any(c.isalnum() for c in text) and text in page_title)
        return _mark(text)
    if href[0] in "jJ" and href[:11].lower() == "javascript:":
        return node.css_first("code") is None
    return (("src/" in href or "_modules/" in href or "_source/" in href) and SOURCE_LINK_HREF.match(href) is not None
            and (node.text(deep=True) or "").strip().lower() in SOURCE_LINK_TEXT)


def _printed_url(href: str, node: LexborNode) -> bool:
    """A link whose text is its own address ("http://lists.llvm.org/pipermail/llvm-dev/2019-February/130320.html"
    in a bibliography): the reader sees the address."""
    if not href.startswith(("http://", "https://")):  # before the text: most links are relative
        return False
    text = (node.text(deep=True) or "").strip().rstrip("/")
    if not text.startswith(("http://", "https://", "www.")):
        return False
    href = href.rstrip("/")
    return href == text or href.endswith("://" + text)


def _hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _default_alternative(node: LexborNode) -> bool:
    """Whether a hidden element is the last of sibling elements that are all hidden: alternatives of which a
    script shows one. LibreOffice's help hides each platform's variant (Windows, macOS, the default, last) of
    a key name and of a code example, and unhides one by the reader's platform: with none kept, every Basic
    example and the "Ctrl" of every shortcut ("+Shift+J") were lost. The last one, the default, is kept. It
    names such a group `switch` or `switchinline`, and a lone hidden child of one is text for one of its
    applications ("Double-click the Page Style field ..." for Writer, then for Calc, Impress and Draw): a
    page of four such paragraphs came out as its first sentence."""
    sibling = node.next
    while sibling is not None:
        if sibling.tag not in ("-text", "-comment"):
            return False
        sibling = sibling.next
    parent = node.parent
    if parent is None:
        return False
    if parent.attributes.get("class") in SWITCH_CLASSES:
        return True
    others = [child for child in parent.iter() if child.mem_id != node.mem_id]
    return bool(others) and all("hidden" in child.attributes for child in others)


@dataclass
class Blocks:
    """The page as a flat table: block elements (parent index, tag, class weight, unlikely flag) in
    document order, and text chunks (owning block, text, characters inside links)."""

    parent: list[int] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    weight: list[int] = field(default_factory=list)
    unlikely: list[int] = field(default_factory=list)  # 0, SIDEBAR_LEVEL, UNLIKELY_LEVEL or CHROME_LEVEL
    section: list[bool] = field(default_factory=list)  # a <section>, or a <div> with a section class
    main: list[bool] = field(default_factory=list)  # <main> or role="main": the page says its text is here
    box: list[int] = field(default_factory=list)  # the innermost admonition block around a block, or -1
    code_blocks: set[int] = field(default_factory=set)  # the blocks of CODE_CLASS
    owner: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    link_chars: list[int] = field(default_factory=list)
    # ... of which in links that print their own address: links to the scores, text to the keep decision
    url_chars: list[int] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)  # TEXT or CODE
    by_class: set[int] = field(default_factory=set)  # the chunks inside a block of CODE_CLASS (code)
    shown: dict[int, str] = field(default_factory=dict)  # chunks written without their "more" link (MORE_LABELS)
    marked: dict[int, str] = field(default_factory=dict)  # Markdown: chunks with inline code, its CODE_OPEN/CLOSE
    in_item: list[int] = field(default_factory=list)  # the list item (<li>, <dd> block) a chunk is in, or -1
    in_term: list[int] = field(default_factory=list)  # the definition list's term (<dt> block) it is in, or -1
    term: dict[int, int] = field(default_factory=dict)  # a <dd> block's term: the <dt> before it in its list
    # the list item a chunk opens: (nesting depth, number in an ordered list or 0); (0, 0) when none
    item: list[tuple[int, int]] = field(default_factory=list)
    span: dict[int, tuple[int, int]] = field(default_factory=dict)  # a td/th's (rowspan, colspan) when not 1, 1
    width: dict[int, int] = field(default_factory=dict)  # a row's cells (<td>s and <th>s, empty ones too)
    bracketed: set[int] = field(default_factory=set)  # chunks of links and NAV_SEPARATORS only: "[<a>Top</a>]"
    footnotes: set[int] = field(default_factory=set)  # blocks of FOOTNOTE_CLASSES
    notes: set[int] = field(default_factory=set)  # RUN_IN_CLASSES blocks, ANNOTATION_CLASSES ones of a label alone

    def add_block(self, parent: int, tag: str, weight: int, unlikely: int, admonition: bool = False,
                  section: bool = False, main: bool = False) -> int:
        index = len(self.parent)
        self.parent.append(parent)
        self.tag.append(tag)
        self.weight.append(weight)
        self.unlikely.append(unlikely)
        self.section.append(section or tag == "section")
        self.main.append(main or tag == "main")
        self.box.append(index if admonition else self.box[parent] if parent >= 0 else -1)
        return index


def _span(attrs: dict) -> tuple[int, int]:
    """A cell's (rowspan, colspan) as a browser reads them: a value that is not a number is 1, and each is
    clamped to HTML's limits."""
    spans = []
    for name, limit in (("rowspan", MAX_ROWSPAN), ("colspan", MAX_COLSPAN)):
        digits = LEADING_DIGITS.match(attrs.get(name) or "")
        number = int(digits.group(1)) if digits else 1
        spans.append(min(number or (MAX_ROWSPAN if name == "rowspan" else 1), limit))
    return spans[0], spans[1]


def _prose(raw: str) -> str:
    """A text chunk's pieces as one text: whitespace collapsed, a <br> (BR) ends a line, no blank line."""
    text = SPACES.sub(" ", raw)
    if BR in text:  # no blank line: "<br><br>" ends one line
        text = "\n".join(line for line in (part.strip() for part in text.split(BR)) if line)
    return text.strip()


def _marked_prose(pending: list[str], marks: list[tuple[int, str]], still_open: bool) -> str:
    """_prose of the pieces with CODE_OPEN/CODE_CLOSE where inline code opens and closes, the spaces at a
    code span's edges moved out of it, and an empty span dropped."""
    pieces, last = [], 0
    for at, mark in marks:
        pieces += [*pending[last:at], mark]
        last = at
    pieces += pending[last:]
    if still_open:
        pieces.append(CODE_CLOSE)
    raw = SPACE_BEFORE_CLOSE.sub("\ue001\\1", SPACE_AFTER_OPEN.sub("\\1\ue000", "".join(pieces)))
    return _prose(raw.replace(CODE_OPEN + CODE_CLOSE, ""))


def _br_lines(raw: str) -> str:
    """A block of <br>-ended code lines: source whitespace collapses as in any HTML text, a <br> ends a
    line, and no-break spaces (the only way such code is indented) stay, less the indent all lines share."""
    lines = [SOURCE_SPACES.sub(" ", line).strip(" ").replace("\u00a0", " ").rstrip() for line in raw.split(BR)]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line), default=0)
    return "\n".join(line[indent:] for line in lines)


def _classed_code(raw: str) -> str:
    """Code named by class (CODE_CLASS): a line per <br> when it has them (SiSU's p.code, see _br_lines), else
    one line (a Scribble table row) whose source whitespace collapses as in any HTML text, and whose no-break
    spaces, Scribble's indentation, stay."""
    if BR in raw:
        return _br_lines(raw)
    return SOURCE_SPACES.sub(" ", raw).strip(" ").replace("\u00a0", " ").rstrip()


def _verbatim(raw: str) -> str:
    """A <pre> block as written: line breaks and indentation kept, blank edges and trailing spaces dropped."""
    lines = [line.rstrip() for line in raw.replace(BR, "\n").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def line_number_gutter(text: str) -> bool:
    """Whether a <pre> is a gutter of line numbers ("70", "71", ... beside the code: YARD's pre.lines,
    Pygments' td.linenos): two or more lines, each the number after the one above. Extraction asks this
    only inside an element named for line numbers (GUTTER_CLASS): PostgreSQL shows "1", "2" as the
    output of unnest(ARRAY[1,2])."""
    lines = text.split("\n")
    if len(lines) < 2 or not all(line.strip().isdigit() for line in lines):
        return False
    numbers = [int(line) for line in lines]
    return all(b == a + 1 for a, b in pairwise(numbers))


def walk(body: LexborNode, page_title: str = "", markdown: bool = False) -> Blocks:
    """One iterative pass over the DOM (no recursion: deep pages cannot overflow the stack); ``page_title``
    (the <title>) tells the page's name in a heading from a script's control (_not_text_link). For Markdown,
    where inline code opens and closes in prose is kept too (Blocks.marked)."""
    blocks = Blocks()
    pending: list[str] = []
    pending_links = pending_code = pending_urls = 0
    # the <br>-ended line being read: where it starts in pending, its links, their characters, other text
    line_start = line_links = line_link_chars = 0
    line_plain = line_marked = False  # ... and whether a separator between its links is more than a space
    link_start = link_end = -1  # where in pending the last link's text starts and ends
    verbatim = 0  # depth inside <pre>: everything below is one code chunk, whitespace kept
    classed = 0  # depth inside blocks of CODE_CLASS: code, its whitespace collapsed but for &nbsp;
    gutters = 0  # depth inside blocks named for line numbers (GUTTER_CLASS)
    named: dict[int, int] = {}  # the open blocks of GUTTER_CLASS or CODE_CLASS: their _code_names
    items: list[int] = []  # the open list items (a table cell inside one: -1, its text is the cell's)
    open_terms: list[int] = []  # the open <dt> blocks
    last_term: dict[int, int] = {}  # each definition list's (or its <div> group's) last <dt> so far
    lists: list[list[int]] = []  # open lists: [ordered, items so far]
    grids: list[list[int]] = []  # open grid tables: [block, columns, cells so far, current row]
    next_item = (0, 0)  # the list item whose first chunk is still to come
    marks: list[tuple[int, str]] = []  # Markdown: (index in pending, CODE_OPEN or CODE_CLOSE) of inline code
    code_open = False  # ... and whether one is open

    def end_line(judge: bool = True, cell: bool = False) -> None:
        """Drop the <br>-ended line (or table cell) just read when it is a menu: two or more links and only
        separators (square brackets only around every link, or every link and the current page's item,
        unlinked: "[Overview][<a>Types</a>][<a>Index</a>]" on fpdoc's unit pages); in a cell, visible ones: a
        data cell can hold two links between spaces, a name and its footnote ("isogrk4.txt [1]" in docutils')."""
        nonlocal pending_links, line_links, line_link_chars, line_plain, line_marked, link_start, link_end
        if judge and line_links >= 2 and (line_marked or not cell):
            line = "".join(pending[line_start:])
            brackets = "[" in line or "]" in line
            if ((not line_plain and not brackets)
                    or (brackets and BRACKETED.fullmatch(line) and line.count("[") <= line_links + 1)):
                del pending[max(line_start - 1, 0):]  # with the <br> before it
                pending_links -= line_link_chars
                link_start = link_end = -1
        line_links = line_link_chars = 0
        line_plain = line_marked = False

    def flush(owner: int) -> None:
        nonlocal pending_links, pending_code, pending_urls, next_item, line_start
        nonlocal line_links, line_link_chars, line_plain, line_marked, link_start, link_end
        bracketed = line_start == 0 and line_links and not line_plain  # links and separators only
        if line_links >= 2:  # what end_line judges (else it only starts a new line, as here)
            # a line after a <br> is the block's last line; no <br>, no line, but for a table cell (NAV_SEPARATORS)
            cell = line_start == 0 and blocks.tag[owner] in CELL_TAGS
            end_line(judge=line_start > 0 or cell, cell=cell)
        line_start = line_links = line_link_chars = 0
        line_plain = line_marked = False
        if pending:
            raw = "".join(pending)
            if verbatim:
                text, kind = _verbatim(raw), CODE
                if gutters and line_number_gutter(text):
                    text = ""
            elif classed or ("::=" in raw and PRODUCTION.match(raw)):
                text, kind = _classed_code(raw), CODE
            elif (pending_code and BR in raw
                  and pending_code >= BR_CODE_SHARE * _size(SPACES.sub("", raw).replace(BR, ""))):
                text, kind = _br_lines(raw), CODE
            else:
                text, kind = _prose(raw), TEXT
                if marks and text:
                    marked = _marked_prose(pending, marks, code_open)
                    if marked.replace(CODE_OPEN, "").replace(CODE_CLOSE, "") == text:
                        blocks.marked[len(blocks.text)] = marked
            if text:
                if kind == TEXT and 0 <= link_start < link_end <= len(pending) and not "".join(
                        pending[link_end:]).replace(BR, "").strip():  # it ends with a link: a "more" link?
                    label = " ".join("".join(pending[link_start:link_end]).split())
                    if label.lower() in MORE_LABELS and text.endswith(label):
                        blocks.shown[len(blocks.text)] = text[:-len(label)].rstrip()
                blocks.owner.append(owner)
                blocks.text.append(text)
                blocks.link_chars.append(pending_links)
                blocks.url_chars.append(pending_urls)
                blocks.kind.append(kind)
                blocks.in_item.append(items[-1] if items else -1)
                blocks.in_term.append(open_terms[-1] if open_terms else -1)
                if classed and not verbatim:
                    blocks.by_class.add(len(blocks.text) - 1)
                if bracketed and kind == TEXT:
                    blocks.bracketed.add(len(blocks.text) - 1)
                blocks.item.append(next_item)
                next_item = (0, 0)
            pending.clear()
        pending_links = pending_code = pending_urls = 0
        link_start = link_end = -1
        if marks:
            marks.clear()
            if code_open:  # inline code around a block: it goes on in the next chunk
                marks.append((0, CODE_OPEN))

    root = blocks.add_block(-1, "body", 0, False)
    open_blocks = [root]
    # (children iterator, block index or -1 for inline elements, is a link (PRINTED_URL: one that prints its
    # own address), is inline code)
    children = body.iter(include_text=True)  # the innermost open element's, stack[-1][0]
    stack = [(children, root, False, False)]
    in_links = in_code = in_urls = 0
    while True:
        node = next(children, None)
        if node is None:
            _, block, is_link, is_code = stack.pop()
            in_code -= is_code
            if code_open and is_code and not in_code:
                marks.append((len(pending), CODE_CLOSE))
                code_open = False
            if block >= 0:
                if pending or line_links:  # else flush has nothing to do: the state is as it leaves it
                    flush(block)
                open_blocks.pop()
                tag = blocks.tag[block]
                if tag in VERBATIM_TAGS:
                    verbatim -= 1
                elif tag in LIST_TAGS and lists:
                    lists.pop()
                elif grids and grids[-1][0] == block:
                    grids.pop()
                if tag in ITEM_TAGS or tag in CELL_TAGS:
                    items.pop()
                elif tag == "dt":
                    open_terms.pop()
                if tag == "li":  # an item with no text (its one link a script's) marks nothing after it
                    next_item = (0, 0)
                if named and block in named:
                    names = named.pop(block)
                    gutters -= names & GUTTER
                    classed -= names >> 1
            if is_link:
                in_links -= 1
                in_urls -= is_link == PRINTED_URL
                link_end = len(pending)
            if not stack:
                break
            children = stack[-1][0]
            continue
        tag = node.tag
        if tag == "menu":  # a list: old HTML's, and HTML5's list of commands (Graphviz's build steps)
            tag = "ul"
        if tag == "-text":
            text = node.text_content
            if text and "\u200b" in text:
                text = ZERO_WIDTH_BY_ASCII.sub("", text)
            if text and (pending or verbatim or in_code or not text.isspace()):  # a block's leading spaces go
                pending.append(text)
                if in_links:
                    size = _size(text.strip())
                    pending_links += size
                    line_link_chars += size
                    if in_urls:
                        pending_urls += size
                elif not line_plain and not verbatim:  # code is never a separator (":" in a grammar rule)
                    if text.isspace():
                        line_plain = in_code > 0
                    else:
                        line_plain = in_code > 0 or NAV_SEPARATORS.fullmatch(text) is None
                        line_marked = True
                if in_code:
                    pending_code += _size(SPACES.sub("", text))
            continue
        if tag[0] == "-" or tag in SKIP_TAGS:  # comments, doctype, and skipped subtrees
            continue
        if tag == "br":
            if not verbatim:
                if line_start or pending:  # the first line of a block is judged as a line too
                    end_line()
                line_start = len(pending) + 1
            pending.append(BR)
            continue
        attrs = node.attributes
        if ((("hidden" in attrs or "aria-hidden" in attrs or "style" in attrs) and _hidden(attrs)
             and not ("hidden" in attrs and _default_alternative(node)))
                or attrs.get("role") in SKIP_ROLES):
            continue
        if tag == "img":
            if (alt := attrs.get("alt")) and (named_as := attrs.get("class")) and not FORMULA_IMAGE_CLASSES.isdisjoint(
                    named_as.split()):
                pending.append(alt)
            continue
        if verbatim:  # inside <pre> every element is inline: its text joins the block as written
            if (named_as := attrs.get("class")) and (bits := _class_bits(named_as)) & (NOT_TEXT | GUTTER) and (
                    bits & NOT_TEXT or not node.text(deep=True).strip(LINE_NUMBER_CHARS)):
                continue  # but for what is not text (Doxygen's tooltips follow the last line of a listing,
                # Sphinx's "[docs]" links on its highlighted source) and its line numbers (Doxygen's
                # span.lineno, Pygments' span.linenos); Prism's code.line-numbers is the code, numbered by script
            is_link = tag == "a" and "href" in attrs  # an anchor without href is a target
            in_links += is_link
            children = node.iter(include_text=True)
            stack.append((children, -1, is_link, False))
            continue
        cls, ident = attrs.get("class"), attrs.get("id")
        bits = 0
        if cls:  # the cache read here, not in a call: most elements have a class, and it is known
            bits = _bits_cache.get(cls)
            if bits is None:
                bits = _class_bits(cls)
        if bits & HIDDEN_BY_CLASS or (bits & TOGGLE_LABEL and node.parent and "open" in node.parent.attributes):
            continue  # shown only without JavaScript, like <noscript>; a class's inherited members; an open
            # toggle's label
        # The id counts only on an element without a class, and never on a section or heading: documentation
        # generators give sections an id that is their heading's slug ("jsonb-subscripting", "new-features-
        # related-to-type-hints"), which must not read as chrome. An <a> is never chrome by its name: an
        # unclosed XHTML <a id=.../> is re-opened by the parser around every following paragraph.
        hint = cls or (ident if tag not in SLUG_ID_TAGS else None)
        if hint and (tag in HEADING_LEVEL or tag == "section"):  # a heading's "header" is the heading: rustdoc's
            # signatures are <h4 class="code-header">, not the page's header; and a <section> is the text's:
            # SQLAlchemy marks its tutorial's sections <section class="core-header">, "orm-header"
            hint = hint.replace("header", "heading")
        if tag == "a":
            href = attrs.get("href")
            if href and _not_text_link(href, node, page_title if blocks.tag[open_blocks[-1]] in HEADING_LEVEL
                                       else None):
                continue
            hint = None
        elif tag in CODE_TAGS:  # the class names a language or a highlighter ("prettyprint"), never chrome
            hint = None
        elif cls and hint is cls and tag not in BLOCK_TAGS and ("menu" in cls or "gui" in cls):
            hint = " ".join(name for name in cls.split() if not GUI_CLASS.fullmatch(name.lower())) or None
        if bits & NOT_TEXT:
            continue
        if bits & CLASSIFIER and tag == "span":  # docutils' type after a parameter's name: the
            pending.append(" : ")  # ":" is Sphinx's CSS, the text alone glues them ("skipnabool, default True")
        elif bits & BOXED and pending and not pending[-1][-1:].isspace():
            pending.append(" ")
        weight, unlikely, admonition, section = (_hint_cache.get(hint) or _class_hint(hint)) if hint else NO_HINT
        if tag == "aside":  # a sidebar by its tag: kept only inside the text (see _revive)
            unlikely = max(unlikely, SIDEBAR_LEVEL)
        elif unlikely and (tag == "main" or attrs.get("role") == "main"):
            unlikely = 0  # the page says its text is here: SQLAlchemy's <div role="main" class="withsidebar">
        elif bits & TOC_ONLY and unlikely == UNLIKELY_LEVEL and tag in LIST_TAGS and _not_a_toc(node):
            unlikely = SIDEBAR_LEVEL
        if tag in BLOCK_TAGS or tag in VERBATIM_TAGS or unlikely or bits & RUN_IN:  # an unlikely inline element
            # must be separable, and so must an inline note
            if pending or line_links:
                flush(open_blocks[-1])
            parent, as_tag = open_blocks[-1], tag
            grid = GRID_TABLE.search(cls) if tag == "div" and bits & GRID else None
            if grid:
                as_tag = "table"
            elif tag == "div" and bits & FRAGMENT and _doxygen_lines(node):
                as_tag = "pre"
            elif grids and grids[-1][0] == parent and tag == "div":  # a cell: a new row every `columns` cells
                table = grids[-1]
                if table[2] % table[1] == 0:
                    table[3] = blocks.add_block(table[0], "tr", 0, 0)
                table[2] += 1
                parent, as_tag = table[3], "td"
            index = blocks.add_block(parent, as_tag, weight, unlikely,
                                     (admonition or (bits & ANNOTATION and tag == "div")) and cls is not None,
                                     section and cls is not None, attrs.get("role") == "main")
            open_blocks.append(index)
            if grid:
                grids.append([index, GRID_COLUMNS[grid.group(1)], 0, -1])
            if bits & (FOOTNOTES | ANNOTATION | RUN_IN):
                if bits & FOOTNOTES:
                    blocks.footnotes.add(index)
                elif bits & RUN_IN or not LABEL_END.search(node.text(deep=True)):
                    blocks.notes.add(index)
            children = node.iter(include_text=True)
            stack.append((children, index, False, False))
            names = bits & (GUTTER | CODE_BY_CLASS)
            if names and as_tag in VERBATIM_TAGS:
                names &= GUTTER  # a <pre> is code anyway
            if names:  # GUTTER and CODE_BY_CLASS bits
                named[index] = names
                gutters += names & GUTTER
                classed += names >> 1
                if names & CODE_BY_CLASS:
                    blocks.code_blocks.add(index)
            if as_tag in ITEM_TAGS or as_tag in CELL_TAGS:
                items.append(index if as_tag in ITEM_TAGS else -1)
                if as_tag in CELL_TAGS:
                    blocks.width[parent] = blocks.width.get(parent, 0) + 1
                if as_tag == tag and ("rowspan" in attrs or "colspan" in attrs):
                    blocks.span[index] = _span(attrs)
            if as_tag == "dt":
                open_terms.append(index)
                last_term[parent] = index
            elif as_tag == "dd" and parent in last_term:
                blocks.term[index] = last_term[parent]
            if as_tag in VERBATIM_TAGS:
                verbatim += 1
            elif tag in LIST_TAGS:
                lists.append([tag == "ol", 0])
            elif tag == "li":
                if lists:
                    lists[-1][1] += 1
                    next_item = (len(lists), lists[-1][1] if lists[-1][0] else 0)
                else:
                    next_item = (1, 0)
        else:
            # An anchor without href is a target; a heading's link to its own section ("#data-types": mdBook
            # writes every heading as one) is the heading, not a link away from the text; and so is a link whose
            # text is a call's signature in code (_linked_signature).
            href = attrs.get("href") or ""
            is_link = tag == "a" and "href" in attrs and not (
                href.startswith("#") and blocks.tag[open_blocks[-1]] in HEADING_LEVEL) and not _linked_signature(node)
            if is_link and _printed_url(href, node):
                is_link = PRINTED_URL
                in_urls += 1
                line_plain = True  # an address the reader sees is text: two of them make no menu (CLISP's
                # "http://thread.gmane.org/gmane.comp.lib.gnulib.bugs/14565/https://lists.gnu.org/...")
            is_code = tag in INLINE_CODE_TAGS or (tag == "span" and cls is not None and INLINE_CODE_CLASS in cls)
            line_links += bool(is_link)
            in_links += bool(is_link)
            if is_link:
                link_start = len(pending)
            if markdown and is_code and not (in_code or verbatim or classed):
                marks.append((len(pending), CODE_OPEN))
                code_open = True
            in_code += is_code
            children = node.iter(include_text=True)
            stack.append((children, -1, is_link, is_code))
    flush(root)
    return blocks


def select(blocks: Blocks, dead: list[bool]) -> list[int]:
    """Readability's candidate scoring and sibling merge over the block table: the indices of the kept
    text chunks. ``dead`` blocks (and their descendants) are ignored."""
    n = len(blocks.parent)
    parent = blocks.parent
    text_len = [0] * n
    link_len = [0] * n
    code_len = [0] * n
    for owner, text, links, kind in zip(blocks.owner, blocks.text, blocks.link_chars, blocks.kind, strict=True):
        if not dead[owner]:
            size = _size(text)
            text_len[owner] += size
            if kind == CODE:
                code_len[owner] += size
            else:
                link_len[owner] += links
    for e in range(n - 1, 0, -1):  # children come after their parents in document order
        text_len[parent[e]] += text_len[e]
        link_len[parent[e]] += link_len[e]
        code_len[parent[e]] += code_len[e]

    score = [0.0] * n
    scored = [False] * n
    for owner, text, kind in zip(blocks.owner, blocks.text, blocks.kind, strict=True):
        if len(text) < MIN_PARAGRAPH_CHARS or dead[owner] or blocks.tag[owner] in HEADING_LEVEL:
            continue  # short labels and headings (as in readability) do not vote
        commas = text.count(",") + text.count("，") + text.count("、")
        if kind == CODE:
            commas = min(commas, CODE_LINE_COMMAS * (text.count("\n") + 1))
        points = 1 + commas + min(len(text) / 100, 3)
        e, level = parent[owner] if owner else owner, 0  # text straight in <body> votes for the body
        while e >= 0 and level < 3:  # parent gets it all, grandparent half, great-grandparent a sixth
            if not scored[e]:
                scored[e] = True
                score[e] = TAG_BONUS.get(blocks.tag[e], 0) + blocks.weight[e]
            score[e] += points / (1, 2, 6)[level]
            e = parent[e]
            level += 1
    candidates = [e for e in range(n) if scored[e]]
    if not candidates:
        return []
    for e in candidates:
        if text_len[e]:
            score[e] *= 1 - link_len[e] / text_len[e]
    ranked = sorted(candidates, key=lambda e: (-score[e], e))
    best = ranked[0]
    best_score = score[best]

    # An article split over several near-equal containers: take their common ancestor. A near-equal container
    # around the best is the text itself: the best was a small block with a flattering class name, such as
    # an "example-contents" box inside its section. Around a best too short to be an article (readability's
    # 500 characters), half the score is near enough. Measured: one floor of 0.6 or below for every best costs
    # the article set 0.002 F1; this rule leaves it unchanged and brings back the two handbook pages that came
    # out as one 82-character code block.
    close = [e for e in ranked[1:5] if score[e] >= 0.75 * best_score]
    near = 0.75 if text_len[best] >= RETRY_BELOW_CHARS else 0.5
    above = _ancestors(parent, best)
    around = [e for e in ranked[1:5] if score[e] >= near * best_score and e in above]
    if around:
        best = around[0]
    elif len(close) >= 2:
        chains = [_ancestors(parent, e) for e in close]
        e = parent[best]
        while e > 0:
            if sum(e in chain for chain in chains) >= 2:
                best = e
                break
            e = parent[e]
    # Climb while an ancestor scores higher (the container rather than one of its columns).
    last, e = score[best], parent[best]
    while e > 0:
        if scored[e]:
            if score[e] < last / 3:
                break
            if score[e] > last:
                best = e
                break
            last = score[e]
        e = parent[e]

    # Widen to an ancestor that is mostly this container and mostly prose: the section around a table, the
    # page around a list (documentation pages put their text in many small blocks that each score little).
    e = parent[best]
    while e > 0 and text_len[best] >= WIDEN_SHARE * text_len[e] and (
            link_len[e] - link_len[best] <= WIDEN_MAX_LINKS * (text_len[e] - text_len[best]) + WIDEN_LINK_SLACK):
        best, e = e, parent[e]  # judged on what widening adds: sibling sections, not a sidebar of links
    # The page's own word for its text around a kept block that is a small part of it: the scorer found one
    # fragment of a structured page. First a class that names the text ("content": a positive class weight),
    # when what it adds is mostly prose: Groovydoc and Javadoc 8 put a class's description, summary tables and
    # member details side by side in div.contentContainer, each under a fifth of it, with an inherited-members
    # list of links beside each that stopped the widening above. Then <main> (or role="main"), when what it
    # adds is not mostly links: Javadoc 17 puts a class's summary and details in lists of link-heavy tables;
    # a <main> that adds mostly links is an index (Sphinx's genindex adds 85-99% link text; Javadoc's class
    # pages are at most 66% links). A kept block that is most of its container is the text, and the rest is a
    # news page's "Most popular" and "More from" rails, or its footer ("The Hill 1625 K Street, NW ..."), unless
    # the rest holds code, which no rail or footer does: rustdoc's iterator structs (231 of 2,138 pages of
    # alloc and std) came out as their trait implementations, 69-75% of section#main-content, without the
    # declaration, description and examples above them.
    for named, max_links in ((blocks.weight, WIDEN_MAX_LINKS), (blocks.main, MAIN_MAX_LINKS)):
        e = parent[best]
        while e > 0 and named[e] <= 0:
            e = parent[e]
        if e > 0 and (text_len[best] < MAIN_SHARE * text_len[e] or code_len[e] > code_len[best]) and (
                link_len[e] - link_len[best] <= max_links * (text_len[e] - text_len[best])):
            best = e

    keep = {best}
    threshold = max(10.0, max(score[best], best_score) * 0.2)
    for e in candidates:
        if parent[e] == parent[best] and score[e] >= threshold:
            keep.add(e)
    # readability's paragraph siblings: a <p> beside the kept block, longer than a label and mostly not links
    # (SQLite's C API pages: the struct's code block wins, its description follows as bare paragraphs), and a
    # code block beside it: SWI-Prolog's manual (latex2html) writes its text straight into <body>, which no
    # widening reaches, and its example scripts came out without a line
    for owner, text, links, kind in zip(blocks.owner, blocks.text, blocks.link_chars, blocks.kind, strict=True):
        if parent[owner] != parent[best] or dead[owner]:
            continue
        if (blocks.tag[owner] == "p" and len(text) > SIBLING_PARAGRAPH_CHARS
                and links < SIBLING_PARAGRAPH_LINKS * _size(text)) or (kind == CODE and blocks.tag[owner] == "pre"):
            keep.add(owner)
    # ... and a block beside it that holds nothing but code: the <pre> in its wrapper (SQLite's constants
    # pages, <blockquote><pre>, above the list of what each constant means); and its footnotes, when they are
    # mostly not links (FOOTNOTE_CLASSES)
    keep.update(e for e in range(1, n) if parent[e] == parent[best] and not dead[e]
                and (0 < code_len[e] == text_len[e]
                     or (e in blocks.footnotes and link_len[e] <= MAX_LINK_SHARE * text_len[e])))
    # A page cut into <section>s (what Sphinx and other generators write, one per heading) is one text, even
    # where an index of links inside it keeps the widening above from reaching the whole: from a kept
    # section, the outermost section around it and that section's sibling sections are kept too.
    e = best if blocks.section[best] else parent[best]
    if blocks.section[e]:
        while blocks.section[parent[e]]:
            e = parent[e]
        keep.update(s for s in range(parent[e] + 1, n) if parent[s] == parent[e] and blocks.section[s]
                    and blocks.weight[s] >= 0)
    kept = [e in keep for e in range(n)]
    for e in range(1, n):
        kept[e] = kept[e] or kept[parent[e]]
    dead = _revive(blocks, dead, kept)
    # A block that is mostly link text is a list of links, not prose; a table cell is judged with its row
    # (a data row links its package name, its statistics and a term: "network-manager | V:363 | 14803 |
    # 配置::NM | NetworkManager（守卫进程）" is 71% link characters, yet content; a navigation row is all links).
    # A list item of a linked term and a block describing it is judged whole, like a row: YARD's method
    # summaries ("#sequence(name) ⇒ Sequence" linked to its details, then <div><p>Builds a new sequence
    # ...</p></div>) kept only the descriptions. A menu item's nested list is an item of its own. A <dd> is
    # judged whole too (ITEM_TAGS), and so is a heading with the block around it: gi-docgen names each member
    # of a class page in a linked heading over its description (<h6><a>gtk_gesture_swipe_new</a></h6><div>
    # <p>Returns a newly created ...</p></div>); the class pages kept every description without its name.
    row_text: dict[int, int] = {}
    row_links: dict[int, int] = {}
    item_text: dict[int, int] = {}
    item_links: dict[int, int] = {}
    item_chunks: dict[int, int] = {}
    term_text: dict[int, int] = {}
    term_links: dict[int, int] = {}
    definition = {dt: dd for dd, dt in blocks.term.items()}  # a <dt>'s <dd>
    list_text: dict[int, int] = {}  # each list's items' text and links (its own items', not a nested list's)
    list_links: dict[int, int] = {}
    list_items: dict[int, set[int]] = {}
    # a link that prints its own address is text here: a bibliography's entry, a list of URLs to read; and
    # code links its identifiers, as in link_len above: Groovydoc's summary row "GroovyConstructorDoc[] |
    # constructors()" links its type and its name, and lost its type while its code cell stayed
    shown = [0 if kind == CODE else links - urls
             for links, urls, kind in zip(blocks.link_chars, blocks.url_chars, blocks.kind, strict=True)]
    # a row of separators alone is a drawing: fpdoc's inheritance tree has a "|" row between two classes; and
    # a row of links and separators alone is a bar: texi2html's "[ << ] [ >> ] [Top] [Contents] [Index] [ ? ]",
    # a link in brackets a cell, read half brackets, topped and tailed 23 of 24 gettext chapters
    drawn: dict[int, bool] = {}
    bar: dict[int, bool] = {}
    for i, (text, links) in enumerate(zip(blocks.text, shown, strict=True)):
        row = _row(blocks, i)
        if row >= 0:
            separators = NAV_SEPARATORS.fullmatch(text) is not None
            drawn[row] = drawn.get(row, True) and separators
            bar[row] = bar.get(row, True) and (separators or i in blocks.bracketed)
            row_text[row] = row_text.get(row, 0) + _size(text)
            row_links[row] = row_links.get(row, 0) + links
        elif (li := blocks.in_item[i]) >= 0:
            item_text[li] = item_text.get(li, 0) + _size(text)
            item_links[li] = item_links.get(li, 0) + links
            item_chunks[li] = item_chunks.get(li, 0) + 1
            the_list = parent[li]
            list_text[the_list] = list_text.get(the_list, 0) + _size(text)
            list_links[the_list] = list_links.get(the_list, 0) + links
            list_items.setdefault(the_list, set()).add(li)
        if (dt := blocks.in_term[i]) >= 0:
            term_text[dt] = term_text.get(dt, 0) + _size(text)
            term_links[dt] = term_links.get(dt, 0) + links
    # items with text outside their links, per list: counted once, not once per linked item of a long menu
    worded_items = {the_list: sum(item_links[item] < item_text[item] for item in items)
                    for the_list, items in list_items.items()}
    # A table whose every row of links went (an index: makeinfo's entries, each a linked term and its linked
    # section) leaves its short rows without links, its letters and its header ("A", "B", "Index Entry |
    # Section": 150 of the 169 lines of autoconf's indices); they go with it.
    tables = {row: _table(blocks, row) for row in row_links}
    link_rows: dict[int, list[int]] = {}  # table: [rows of links that go, rows of links that stay]
    for row, links in row_links.items():
        if links and not drawn[row]:
            counts = link_rows.setdefault(tables[row], [0, 0])
            counts[not bar[row] and links <= MAX_ROW_LINK_SHARE * row_text[row]] += 1
    orphans = {table for table, (gone, stay) in link_rows.items() if gone >= MIN_INDEX_ROWS and not stay}
    # A row of links in a table of text is a row of the table: the Debian Reference's browsers, "konqueror |
    # V:19, I:90 | 25504 | KDE, Konqueror" every cell linked, among rows with text (4 of 11 rows were lost, as
    # were Python's os-to-pathlib table's and the Rust reference's punctuation table's); an index keeps no row
    # of links (its letters and header have text), a menu or a bar has no text. Such a row has as many cells
    # (<td>s, empty ones too) as a row of the table with text and links, and two or more: a layout table's
    # one-cell menu row is not one (SQLAlchemy's type lists leave a type's description cell empty).
    worded_rows: dict[int, int] = {}  # table: rows with text outside their links
    shapes: dict[int, set[int]] = {}  # table: cell counts of its rows with text and links
    for row, links in row_links.items():
        if links < row_text[row] and not drawn[row]:
            table = tables[row]
            worded_rows[table] = worded_rows.get(table, 0) + 1
            if links and not bar[row] and links <= MAX_ROW_LINK_SHARE * row_text[row]:
                shapes.setdefault(table, set()).add(blocks.width[row])
    text_tables = {table for table, (_, stay) in link_rows.items()
                   if stay and worded_rows.get(table, 0) >= MIN_TEXT_ROWS}
    data_rows = {row for row, table in tables.items() if table in text_tables
                 and blocks.width[row] >= MIN_TEXT_ROWS and blocks.width[row] in shapes[table]}
    out = []
    for i, (owner, text, links) in enumerate(zip(blocks.owner, blocks.text, shown, strict=True)):
        if kept[owner] and not dead[owner]:
            row = _row(blocks, i)
            limit = MAX_LINK_SHARE
            if row >= 0 and (drawn[row] or (bar[row] and row not in data_rows) or (
                    orphans and row_text[row] <= LABEL_CHARS and not row_links[row] and tables[row] in orphans)):
                continue
            if row >= 0:
                text_chars, links, limit = row_text[row], row_links[row], MAX_ROW_LINK_SHARE
            else:
                text_chars = _size(text)
                if blocks.tag[owner] == "p" and SENTENCE_END.search(text):
                    limit = MAX_SENTENCE_LINK_SHARE
            li = blocks.in_item[i] if row < 0 else -1
            described = li >= 0 and item_chunks[li] > 1 and item_links[li] <= MAX_ROW_LINK_SHARE * item_text[li]
            if row >= 0:
                described = row in data_rows
            if li >= 0 and not described and (dt := blocks.term.get(li, -1)) in term_text:  # with its term
                described = (item_links[li] + term_links[dt]
                             <= MAX_ROW_LINK_SHARE * (item_text[li] + term_text[dt]))
            if li >= 0 and not described and blocks.tag[li] == "li":  # a linked item of a list of text: SQLite's
                # "Partial indexes", "UPSERT", "JSON support" among its 45 features; a menu is links throughout
                # (a share bar's one unlinked button, "Pinterest", does not make it text)
                the_list = parent[li]
                described = (list_links[the_list] <= MAX_ROW_LINK_SHARE * list_text[the_list]
                             and worded_items[the_list] >= 2)
            elif li < 0 and row < 0 and (dt := blocks.in_term[i]) >= 0 and (dd := definition.get(dt, -1)) in item_text:
                # a linked term with its definition: git's command list (<dt><a>git-add(1)</a></dt><dd>Add file
                # contents to the index.</dd>, 183 names), Graphviz's attributes, SQLite's flags
                described = term_links[dt] + item_links[dd] <= MAX_ROW_LINK_SHARE * (term_text[dt] + item_text[dd])
            if not described and blocks.tag[owner] in HEADING_LEVEL:  # a linked name over its description
                box = parent[owner]
                described = (text_len[box] > text_chars
                             and link_len[box] <= MAX_ROW_LINK_SHARE * text_len[box])
            if links <= limit * text_chars or blocks.kind[i] == CODE or described:  # code links its identifiers
                out.append(i)
    return out


def _revive(blocks: Blocks, dead: list[bool], kept: list[bool]) -> list[bool]:
    """``dead`` with the prose sidebars inside the kept text brought back. A "sidebar" beside the article is
    the page's column of links and blurbs; one that sits among the paragraphs of the text (a paragraph straight
    in the block around it) is a box of the text (DocBook's and docutils' sidebar, an HTML5 <aside>: a tip
    with its example, a "back to basics" box), kept when it holds a paragraph of its own and is mostly not
    links; a sidebar inside one that came back comes back with it (docutils' footnote inside its list).
    Asking for two paragraphs around it kept 2.3% fewer characters of the handbook (its sidebars follow a
    list as often as a paragraph) at the same article-set F1; with one, 411 of the 420 English sidebar
    titles come out."""
    parent, unlikely = blocks.parent, blocks.unlikely
    if SIDEBAR_LEVEL not in unlikely:
        return dead
    n = len(parent)
    chrome = [False] * n  # below an unlikely block that is not a sidebar: never counted
    for e in range(1, n):
        chrome[e] = unlikely[e] > SIDEBAR_LEVEL or chrome[parent[e]]
    text_len = [0] * n
    link_len = [0] * n
    has_paragraph = [False] * n  # a paragraph (mostly not link text) below the block
    paragraphs_in = [0] * n  # paragraphs straight in the block or in a child of it
    for owner, text, links in zip(blocks.owner, blocks.text, blocks.link_chars, strict=True):
        if chrome[owner]:
            continue
        size = _size(text)
        text_len[owner] += size
        link_len[owner] += links
        if len(text) >= MIN_PARAGRAPH_CHARS and links <= MAX_LINK_SHARE * size:
            has_paragraph[owner] = True
            if not dead[owner]:
                paragraphs_in[owner] += 1
                if owner:
                    paragraphs_in[parent[owner]] += 1
    for e in range(n - 1, 0, -1):
        text_len[parent[e]] += text_len[e]
        link_len[parent[e]] += link_len[e]
        has_paragraph[parent[e]] = has_paragraph[parent[e]] or has_paragraph[e]
    still_dead = list(dead)
    for e in range(1, n):
        if dead[e] and not still_dead[parent[e]]:
            still_dead[e] = unlikely[e] > 0 and not (
                unlikely[e] == SIDEBAR_LEVEL and kept[e] and (paragraphs_in[parent[e]] or dead[parent[e]])
                and has_paragraph[e] and link_len[e] <= WIDEN_MAX_LINKS * text_len[e])
    return still_dead


def _edge(blocks: Blocks, i: int, above_headline: bool = False) -> bool:
    """A short line without a sentence's end: a dateline, a byline, a label ("Tags:"). A sentence that
    leads in to what follows ("The INSERT statement is used to populate a table with rows:") is text. A table
    row is an edge only as a bar above the page's headline, a table of one row: what fpdoc's keeps once its
    menu cell is gone ("Reference for unit 'Classes' (#rtl)"); a PEP's header rows ("PEP: | 256") are data."""
    text, row = blocks.text[i], _row(blocks, i)
    return (blocks.kind[i] == TEXT and len(text) < EDGE_CHARS
            and (row < 0 or (above_headline and _one_row(blocks, row)))
            and not text.endswith(TERMINAL_PUNCTUATION)
            and not (text.endswith((":", "："))
                     and len(text.split()) + len(_WIDE.findall(text)) // 2 >= LEAD_IN_WORDS))


def _trim(blocks: Blocks, chunks: list[int], page_title: str = "") -> tuple[str, list[int]]:
    """Split off the headline (the h1 just before or at the top of the kept text: it goes to the title,
    not the text, unless it is the site's name in the page's <title>: see _site_name) and drop the short
    unpunctuated lines at either edge of the kept text: the dateline, byline, "Share" and "Tags:" rows that
    sit inside article containers. Code is never an edge."""
    h1s = [i for i in range(len(blocks.text)) if blocks.tag[blocks.owner[i]] == "h1"]
    body = [i for i in chunks if blocks.tag[blocks.owner[i]] != "h1"]
    headline, headline_at = "", -1
    if body:
        before = [i for i in h1s if i < body[0]]
        inside = [i for i in h1s if body[0] < i < body[-1]]
        # several h1s inside the text and none above it are all its sections' headings, unless the first is
        # the page's name in its <title> ("AMQP — Celery 5.2.6 documentation"): SQLite names its pages in a
        # <div class="fancy_title"> over "1. Overview", "2. ...", Doxygen's manual in a <div class="title">
        # (86 pages were titled "1. Overview", "Introduction", and lost that heading)
        headline_at = before[-1] if before else inside[0] if len(inside) == 1 or (
            inside and blocks.text[inside[0]] == TITLE_PARTS.split(page_title)[0].strip()) else -1
        headline = blocks.text[headline_at] if headline_at >= 0 else ""
        if _site_name(headline, page_title):
            headline = ""
        # the other h1s inside the text are its sections' headings (the Lua manual: "2 – Basic Concepts")
        sections = {h for h in inside if h != headline_at}.intersection(chunks)
        if sections:
            body = sorted(sections.union(body))
    name = _name_above(blocks, before[-1], body[0]) if body and before else -1
    start, end = 0, len(body)
    while (name < 0 and start < min(end, MAX_EDGE_LINES) and _edge(blocks, body[start], body[start] < headline_at)
           and not _heads(blocks, body, start) and not _names(blocks, body, start)
           and not _summary(blocks, body, start)
           and not _section_heading(blocks, body, start, page_title)
           and not _list_goes_on(blocks, body, start, MAX_EDGE_LINES)):
        start += 1
    while (end > max(start, len(body) - MAX_EDGE_LINES) and _edge(blocks, body[end - 1])
           and not _list_goes_on(blocks, body, end - 1, len(body) - MAX_EDGE_LINES - 1)):
        end -= 1
    return headline, ([name] if name >= 0 else []) + body[start:end]


def _list_goes_on(blocks: Blocks, chunks: list[int], k: int, beyond: int) -> bool:
    """Whether chunk ``k`` is an item (or a term) of a list that goes on past the edge, to ``chunks[beyond]``,
    with more kept items than the edge has lines: such a list is content, and its first or last items are not a
    byline or a tag row (pytest's release notes ended at "Wolfremium", their last two contributors cut). A
    short list stays an edge: a menu of which only "Up: Home" is left, docutils' "Release: 5.2 / Date: ...".
    """
    holder = blocks.in_item[chunks[k]]
    if holder < 0:
        holder = blocks.in_term[chunks[k]]
    if holder < 0 or not 0 <= beyond < len(chunks):
        return False
    the_list = blocks.parent[holder]
    if not _inside(blocks, blocks.owner[chunks[beyond]], the_list):
        return False
    items = {item for i in chunks if (item := blocks.in_item[i]) >= 0 and blocks.parent[item] == the_list}
    return len(items) > MAX_EDGE_LINES


def _site_name(headline: str, page_title: str) -> bool:
    """Whether an h1 is the site's name rather than the page's: the part of the <title> after a separator
    ("Data Types - The Rust Programming Language" under mdBook's menu-bar h1 "The Rust Programming
    Language"). The <title> then names the page better."""
    parts = [p.strip() for p in TITLE_PARTS.split(page_title)]
    return len(parts) > 1 and bool(headline) and headline in parts[1:] and headline != parts[0]


def _home_link(body: LexborNode, headline: str) -> bool:
    """Whether the headline is an h1 that is one link to a site's home page: the site's name over every
    page ("Exim Internet Mailer" over each chapter of Exim's specification, which was every record's
    title), not the page's, which its <title> then gives."""
    for h1 in body.css("h1"):
        links = h1.css("a[href]")
        if (len(links) == 1 and HOME_HREF.fullmatch(links[0].attributes.get("href") or "")
                and " ".join(h1.text().split()) == headline == " ".join(links[0].text().split())):
            return True
    return False


def _name_above(blocks: Blocks, headline: int, first: int) -> int:
    """A manual page's NAME line between the headline and the kept text ("git-add - Add file contents to
    the index" under "git-add(1) Manual Page"): AsciiDoc puts that section in the page's header, which is
    chrome. It names the headline's subject (one word the headline starts with), a dash, then what it is;
    the text is kept from it on, as under a name line of its own (_names). -1 when there is none."""
    for i in range(headline + 1, first):
        names = NAME_LINE.match(blocks.text[i])
        if (blocks.kind[i] == TEXT and names and " " not in names.group(1)
                and blocks.text[headline].startswith(names.group(1))):
            return i
    return -1


def _heads(blocks: Blocks, chunks: list[int], k: int) -> bool:
    """Whether chunk ``k`` is a definition's term followed by its definition: an API signature that opens
    the kept text ("class email.contentmanager.ContentManager"), not a kicker or a dateline. (A heading
    there is not kept: on news pages it is the kicker or a copy of the headline.)"""
    owner = blocks.owner[chunks[k]]
    return (blocks.tag[owner] == "dt" and k + 1 < len(chunks)
            and _inside(blocks, blocks.owner[chunks[k + 1]], blocks.parent[owner]))


def _summary(blocks: Blocks, chunks: list[int], k: int) -> bool:
    """Whether chunk ``k`` is a paragraph standing alone right above a heading or a table: the page's one-line
    summary (fpdoc's "Read a string from a stream" between the h1 and "Declaration", "Unit implementing base64
    encoding" above the table of the units it uses), not a dateline, which the article's first paragraph (or
    a dek) follows, nor a label (gi-docgen's "since: 4.8" badge above "Declaration"), nor the title of a table
    of contents whose links went."""
    return (blocks.tag[blocks.owner[chunks[k]]] == "p" and not LABEL.match(blocks.text[chunks[k]])
            and k + 1 < len(chunks) and chunks[k + 1] == chunks[k] + 1
            and (blocks.tag[blocks.owner[chunks[k + 1]]] in HEADING_LEVEL or _row(blocks, chunks[k + 1]) >= 0))


def _section_heading(blocks: Blocks, chunks: list[int], k: int, page_title: str) -> bool:
    """Whether chunk ``k`` is the first of the text's section headings: a heading straight above kept text
    whose level heads other sections further down ("The \\override command", the first of LilyPond's h4s
    under the page's h3), or that has sections of its own below (gettext's "7.1 Invoking the msgmerge
    Program" over its h3s, under the chapter's h1 in the title), and not the page's name (in the <title>,
    or above a name line: PostgreSQL's "dropdb" above "dropdb — remove a PostgreSQL database", "Synopsis"
    and "Description"). A kicker is a heading of its own, with no sections below; the heading of a box of
    links ("Related stories") has its links, which were dropped, between it and the text."""
    level = HEADING_LEVEL.get(blocks.tag[blocks.owner[chunks[k]]], 0)
    return (level > 0 and k + 1 < len(chunks) and chunks[k + 1] == chunks[k] + 1
            and blocks.text[chunks[k]] not in page_title and not _names(blocks, chunks, k + 1)
            and any(HEADING_LEVEL.get(blocks.tag[blocks.owner[i]], 0) >= level for i in chunks[k + 1:]))


def _names(blocks: Blocks, chunks: list[int], k: int) -> bool:
    """Whether chunk ``k`` is a reference page's name line: the heading above it (and any other names), a
    dash, what the subject is ("dropdb — remove a PostgreSQL database" under "dropdb", DocBook's refnamediv).
    It is the page's one-line summary, and the text is kept from it on (the heading repeats the title)."""
    if k == 0 or blocks.tag[blocks.owner[chunks[k - 1]]] not in HEADING_LEVEL:
        return False
    names = NAME_LINE.match(blocks.text[chunks[k]])
    return names is not None and names.group(1).startswith(blocks.text[chunks[k - 1]])


def _filled(blocks: Blocks, chunks: list[int]) -> list[int]:
    """The kept chunks less the headings and lead-ins of link lists that went as navigation: "Topics",
    "Directives", "See also" over the Apache manual's quick-view lists inside the text; Nim's "See also:"
    over a list of linked names, left hanging over the next "Example:" (565 lines in 39 of its 231 pages).
    Such a heading has nothing kept in its section (everything up to the next heading of the same or a
    higher level; a subsection that kept text fills the sections above it) and a dropped list item right
    under it; such a lead-in (a label ending in a colon) has a dropped list item right under it and no item
    of that list kept; such a box's title is all that is left of its box (_box_title). A heading over nothing
    at all stays: some manuals list terms as empty headings ("Deadlocks" in the Rust reference)."""
    kept: list[int] = []
    is_kept = set(chunks)
    bound = 0  # a heading above the chunks seen so far has something under it when its level is < bound
    for i in reversed(chunks):
        owner = blocks.owner[i]
        level = HEADING_LEVEL.get(blocks.tag[owner], 0) if blocks.box[owner] < 0 else 0  # "Note" in its box is text
        lost_list = i + 1 < len(blocks.text) and i + 1 not in is_kept and blocks.item[i + 1] != (0, 0)
        if not level:
            if lost_list and ((_lead_in(blocks, i) and not (kept and _same_list(blocks, i + 1, kept[-1])))
                              or _box_title(blocks, i, is_kept)):
                continue
            bound = len(HEADING_LEVEL) + 1
        elif level < bound:
            bound = level
        elif lost_list:
            continue
        kept.append(i)
    return kept[::-1]


def _box_title(blocks: Blocks, i: int, is_kept: set[int]) -> bool:
    """Whether chunk ``i`` is a short title that opens its box and is all that is kept of it: docutils'
    <p class="topic-title">Contents</p> over the list of links of its table of contents (a lone "Contents"
    line in 17 of lxml's 45 pages)."""
    box = blocks.parent[blocks.owner[i]]
    if (len(blocks.text[i]) > LABEL_CHARS or blocks.kind[i] != TEXT or blocks.in_item[i] >= 0
            or (i > 0 and _inside(blocks, blocks.owner[i - 1], box))
            or not _inside(blocks, blocks.owner[i + 1], box)):  # the list item dropped after it (_filled)
        return False
    j = i + 1
    while j < len(blocks.text) and _inside(blocks, blocks.owner[j], box):
        if j in is_kept:
            return False
        j += 1
    return True


def _lead_in(blocks: Blocks, i: int) -> bool:
    """A short label that announces what follows: "See also:", "Return type:"."""
    text = blocks.text[i]
    return (text.endswith((":", "：")) and len(text) <= LABEL_CHARS and blocks.kind[i] == TEXT
            and _row(blocks, i) < 0)


def _same_list(blocks: Blocks, a: int, b: int) -> bool:
    """Chunks a and b are in items of one list."""
    item_a, item_b = blocks.in_item[a], blocks.in_item[b]
    return item_a >= 0 and item_b >= 0 and blocks.parent[item_a] == blocks.parent[item_b]


def _cell(blocks: Blocks, i: int) -> int:
    """The td/th a chunk belongs to (its text straight inside the cell, in a paragraph of the cell that is
    not code, or in a <div> inside divs of the cell), or -1. cppreference lays out a member's name and its
    "(C++11)" mark in two divs inside a div of the cell: the row lost the name it describes."""
    owner = blocks.owner[i]
    if blocks.tag[owner] in CELL_TAGS:
        return owner
    if blocks.kind[i] == CODE:
        return -1
    climb = CELL_DIVS if blocks.tag[owner] == "div" else 0
    owner = blocks.parent[owner]
    while climb and owner >= 0 and blocks.tag[owner] == "div":
        owner, climb = blocks.parent[owner], climb - 1
    return owner if owner >= 0 and blocks.tag[owner] in CELL_TAGS else -1


def _row(blocks: Blocks, i: int) -> int:
    """The <tr> a chunk is a cell of, or -1."""
    cell = _cell(blocks, i)
    if cell >= 0:
        row = blocks.parent[cell]
        if row >= 0 and blocks.tag[row] == "tr":
            return row
    return -1


def _labels(blocks: Blocks, chunks: list[int], markdown: bool = False) -> tuple[list[int], dict[int, str]]:
    """The chunks without the admonition labels that prefix a paragraph, and {paragraph chunk: label}.

    A label is the first kept chunk of an admonition box when it is one short line of text without closing
    punctuation. It merges into the box's next chunk when that is a plain paragraph (not code, a list item
    or a heading); it stays a line of its own before code, a list or a heading; it is dropped when the box
    had more text and none of it was kept (a "Tip" whose one sentence was a cross-reference link). A box
    whose only text it is (<p class="note">Added in 3.2</p>) keeps it."""
    kept: list[int] = []
    labels: dict[int, str] = {}
    seen: set[int] = set()
    for k, i in enumerate(chunks):
        box = blocks.box[blocks.owner[i]]
        if box >= 0 and box not in seen:
            seen.add(box)
            text = blocks.text[i]
            if _label_like(blocks, i):
                nxt = chunks[k + 1] if k + 1 < len(chunks) else -1
                if nxt < 0 or not _inside(blocks, blocks.owner[nxt], box):
                    if i + 1 < len(blocks.text) and _inside(blocks, blocks.owner[i + 1], box):
                        continue  # chunks are in document order: the box's next chunk was not kept
                    kept.append(i)
                    continue
                if (blocks.kind[nxt] == TEXT and not blocks.item[nxt][0] and blocks.tag[blocks.owner[nxt]] not in
                        HEADING_LEVEL and (blocks.box[blocks.owner[nxt]] == box or not _label_like(blocks, nxt))):
                    labels[nxt] = text  # into a box within the box too: "Note: Changed in version 3.8: ..."
                    continue
        if blocks.in_term[i] >= 0 and k + 1 < len(chunks) and _term_label(blocks, chunks, k):
            label = _shown(blocks, i, markdown)  # in Markdown, "`None`:" keeps its code span
            if not label.endswith("`"):
                labels[chunks[k + 1]] = label
                continue
        kept.append(i)
    return kept, labels


def _term_label(blocks: Blocks, chunks: list[int], k: int) -> bool:
    """Whether ``chunks[k]`` is a term that is a label ("Returns:", "Since:" in Javadoc's and Sphinx's field
    lists: a colon ends it, a capital starts it) over a plain paragraph of its definition, which it then
    starts: "Returns: the element at the specified position". Alone on their lines such labels were the most
    repeated lines of API references ("Returns:", "Parameters:", "Since:", "Throws:" in Javadoc). A name in
    code with a colon ("range:", "GCRYCTL_GET_KEYLEN:", ":") is a term, not a label."""
    i, nxt = chunks[k], chunks[k + 1]
    term, definition = blocks.in_term[i], blocks.in_item[nxt]
    text = blocks.text[i]
    return (text.endswith((":", "：")) and text[0].isalpha() and not text[0].islower() and "_" not in text
            and _label_like(blocks, i) and definition >= 0
            and blocks.term.get(definition) == term and (k == 0 or blocks.in_term[chunks[k - 1]] != term)
            and _entry_paragraph(blocks, nxt, definition))


def _label_like(blocks: Blocks, i: int) -> bool:
    """Whether chunk ``i`` reads as a label: one short line of text without closing punctuation."""
    text = blocks.text[i]
    return (blocks.kind[i] == TEXT and not blocks.item[i][0] and len(text) <= LABEL_CHARS and "\n" not in text
            and not text.endswith(TERMINAL_PUNCTUATION))


def _notes(blocks: Blocks, chunks: list[int], labels: dict[int, str],
           markdown: bool) -> tuple[list[int], dict[int, tuple[str, str]]]:
    """The chunks without the notes that join a paragraph, and {paragraph chunk: (text before, text after)}.

    A note (see ANNOTATION_CLASSES) of one short line, or a run of them ("Return value: New reference. Part of
    the Stable ABI."), ends the sentence right before it in the same entry ("Return the tuple's size. New in
    version 3.2."), or, first in its entry, starts the paragraph right after it; after code, a list, a
    heading, a table or a lead-in ("... setting:"), or alone in its entry, it stays a line (one per run). The
    label of a box that the note opened ("Warning: Changed in version 3.2.") moves with it (``labels``)."""
    kept: list[int] = []
    joined: dict[int, tuple[str, str]] = {}
    k = 0
    while k < len(chunks):
        note = _note(blocks, chunks, k)
        if note < 0:
            kept.append(chunks[k])
            k += 1
            continue
        entry = blocks.parent[note]
        end = k + 1
        while end < len(chunks) and (more := _note(blocks, chunks, end)) >= 0 and blocks.parent[more] == entry:
            end += 1
        text = " ".join(_shown(blocks, i, markdown) for i in chunks[k:end])
        before = chunks[k - 1] if k else -1
        if before >= 0 and _inside(blocks, blocks.owner[before], entry):  # the entry has text before the note
            head, tail = joined.get(before, ("", ""))
            if (kept and kept[-1] == before and chunks[k] not in labels and _entry_paragraph(blocks, before, entry)
                    and (tail or _shown(blocks, before, markdown)).endswith(TERMINAL_PUNCTUATION)):
                joined[before] = (head, f"{tail} {text}")
            else:
                kept.append(chunks[k])
                joined[chunks[k]] = ("", text[len(_shown(blocks, chunks[k], markdown)):])
        elif end < len(chunks) and _entry_paragraph(blocks, chunks[end], entry) and chunks[end] not in labels:
            joined[chunks[end]] = (text + " ", "")
            if chunks[k] in labels:
                labels[chunks[end]] = labels.pop(chunks[k])
        else:
            kept.append(chunks[k])
            joined[chunks[k]] = ("", text[len(_shown(blocks, chunks[k], markdown)):])
        k = end
    return kept, joined


def _note(blocks: Blocks, chunks: list[int], k: int) -> int:
    """The note block whose whole kept text is ``chunks[k]``, one short line, or -1."""
    i = chunks[k]
    text = blocks.text[i]
    if (blocks.kind[i] != TEXT or blocks.item[i][0] or len(text) > NOTE_CHARS or "\n" in text
            or not text.endswith(TERMINAL_PUNCTUATION)):
        return -1
    note = blocks.owner[i]
    while note >= 0 and note not in blocks.notes:
        note = blocks.parent[note]
    if note < 0 or any(0 <= j < len(chunks) and _inside(blocks, blocks.owner[chunks[j]], note) for j in (k - 1, k + 1)):
        return -1
    return note


def _entry_paragraph(blocks: Blocks, i: int, entry: int) -> bool:
    """Whether chunk ``i`` is a plain paragraph right in ``entry`` (a <dd>, a section): not code, a list item,
    a heading, a table cell, or a note."""
    owner = blocks.owner[i]
    return (blocks.kind[i] == TEXT and not blocks.item[i][0] and (owner == entry or blocks.parent[owner] == entry)
            and owner not in blocks.notes and blocks.tag[owner] not in HEADING_LEVEL and _row(blocks, i) < 0
            and i not in blocks.by_class)


def _inside(blocks: Blocks, block: int, ancestor: int) -> bool:
    """Whether ``block`` is ``ancestor`` or below it."""
    while block > ancestor:  # ancestors come before their descendants
        block = blocks.parent[block]
    return block == ancestor


def _prefixed(label: str, text: str, markdown: bool) -> str:
    """ "Note: text" ("注記：text" after a CJK label; "**Note:** text" in Markdown, "`None`: text" when the
    label is code)."""
    wide = label.endswith("：") or (not label.endswith(":") and _WIDE.match(label[-1]) is not None)
    head = label if label.endswith((":", "：")) else label + ("：" if wide else ":")
    return (f"**{head}**" if markdown and "`" not in head else head) + ("" if wide else " ") + text


def render(blocks: Blocks, chunks: list[int], markdown: bool = False) -> tuple[str, list[list[int]]]:
    """The kept chunks as text, and the [first, end) line ranges that are code.

    Plain text: one block a line, no blank lines; list items start with "- " (or "3. "), a table row is
    one line with its cells joined by " | ", code keeps its lines and indentation, an admonition's label
    starts its first paragraph ("Note: ...", see _labels), a note joins its entry's paragraph (_notes).
    Markdown: "#" headings, indented list items, fenced code and pipe tables, blocks separated by blank lines."""
    out: list[str] = []
    code: list[list[int]] = []
    previous = ""  # kind of the last block written: "item", "row" or ""
    previous_table = -1  # the table of the last row written
    spanned: dict[int, int] = {}  # Markdown: its columns held by a cell of a row above, and for how many more rows
    chunks, labels = _labels(blocks, [i for i in chunks if blocks.shown.get(i) != ""], markdown)
    chunks, joined = _notes(blocks, chunks, labels, markdown) if blocks.notes else (chunks, {})
    layout = -1  # a row whose one cell with text holds a heading and more: a layout, its blocks are lines
    k = 0
    while k < len(chunks):
        i = chunks[k]
        k += 1
        after = k  # the chunk after this one, unless a table row takes more
        kind = ""
        row = _row(blocks, i)
        if row >= 0 and row != layout:
            cells, k, owners = _cells(blocks, chunks, k, row, labels, markdown)
            kind = "row"
            if len(cells) == 1 and k > after and any(  # gtk-doc's title and summary: "GSocket GSocket — ..."
                    blocks.tag[blocks.owner[c]] in HEADING_LEVEL for c in chunks[after - 1:k]):
                layout, k, kind = row, after, ""
            elif "(" in cells[1:]:  # a prototype laid out in cells (Doxygen), one row per parameter
                table = _table(blocks, row)
                while ")" not in cells and k < len(chunks) and _table(blocks, _row(blocks, chunks[k])) == table:
                    more, k, _ = _cells(blocks, chunks, k + 1, _row(blocks, chunks[k]), labels, markdown)
                    cells += more
                kind, signature = "signature", _signature(cells)
            elif len(cells) == 1 and k == after and i in blocks.by_class and _table(blocks, row) in blocks.code_blocks:
                kind = ""  # a line of a table that is code (Scribble: one row per line)
            elif markdown and len(cells) == 1 and k == after and not _same_table(blocks, chunks, after - 2, row) \
                    and not _same_table(blocks, chunks, k, row):
                kind = ""  # a table of one cell is a layout, not a table (DocBook's admonitions: "Tip: ...")
        if not kind and i in blocks.by_class:
            kind = "classed"  # code named by class, line after line: one fenced block in Markdown
        new_table = kind == "row" and _table(blocks, row) != previous_table
        if kind == "row":
            previous_table = _table(blocks, row)
            if new_table:
                spanned = {}
        if markdown and kind == previous == "classed":
            out.pop()  # the closing fence: this line joins the block above
        elif markdown and out and (not (kind and kind == previous) or new_table):  # two tables: a blank between
            out.append("")
        if (blocks.kind[i] == CODE and kind in ("", "classed")) or kind == "signature":
            first = len(out)  # code straight in a cell stays its cell
            if markdown and not (kind == previous == "classed"):
                out.append("```")
            out.extend([signature] if kind == "signature" else blocks.text[i].split("\n"))
            if markdown:
                out.append("```")
            if code and code[-1][1] >= first:  # joined the block above (Markdown) or right below it
                code[-1][1] = len(out)
            else:
                code.append([first, len(out)])
        elif kind == "row":
            if markdown:  # a "|" in a cell is escaped: "ps aux | pager" would start a column
                cells = _in_columns(blocks, row, cells, owners, spanned)
                out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
                if previous != "row" or new_table:
                    out.append("|" + " --- |" * len(cells))
            else:
                out.append(" | ".join(cells))
        else:
            text = _shown(blocks, i, markdown)
            if i in joined:
                text = joined[i][0] + text + joined[i][1]
            if i in labels:
                text = _prefixed(labels[i], text, markdown)
            depth, number = blocks.item[i]
            level = HEADING_LEVEL.get(blocks.tag[blocks.owner[i]], 0)
            if depth:
                marker = f"{number}. " if number else "- "
                text = ("  " * (depth - 1) if markdown else "") + marker + text
                kind = "item"
                if markdown and previous == "item" and out and not out[-1]:
                    out.pop()
            elif markdown and level:
                text = "#" * level + " " + text
            out.extend(text.split("\n"))
        previous = kind
    return "\n".join(out), code


def _shown(blocks: Blocks, i: int, markdown: bool = False) -> str:
    """A chunk's text as written: without its closing "more" link (see MORE_LABELS); in Markdown, inline
    code in backticks (`range()`, or ``a`b`` when it holds one)."""
    text = blocks.shown.get(i, blocks.text[i])
    if not markdown or i not in blocks.marked:
        return text
    marked = blocks.marked[i]
    if i in blocks.shown:  # the marked text up to as many characters as the shown one
        kept = 0
        for end, char in enumerate(marked):
            kept += char not in (CODE_OPEN, CODE_CLOSE)
            if kept == len(text):
                marked = marked[:end + 1] + (CODE_CLOSE if marked.rfind(CODE_OPEN, 0, end + 1)
                                             > marked.rfind(CODE_CLOSE, 0, end + 1) else "")
                break
    if "`" not in marked and marked.count(CODE_OPEN) == marked.count(CODE_CLOSE):  # the common case, fast
        return marked.replace(CODE_OPEN, "`").replace(CODE_CLOSE, "`")
    return CODE_MARKS.sub("", CODE_SPAN.sub(_backticked, marked))


def _backticked(span: re.Match) -> str:
    code = span.group(1)
    return f"`` {code} ``" if "`" in code else f"`{code}`"


def _cells(blocks: Blocks, chunks: list[int], k: int, row: int, labels: dict[int, str],
           markdown: bool) -> tuple[list[str], int, list[int]]:
    """The cells of the table row whose first chunk is ``chunks[k - 1]``, the index past the row, and each
    cell's td/th (-1 for a chunk in none: _cell)."""
    i = chunks[k - 1]
    cells = [_shown(blocks, i, markdown).replace("\n", " ")]
    if i in labels:
        cells[0] = _prefixed(labels[i], cells[0], markdown)
    cell = _cell(blocks, i)
    owners = [cell]
    while k < len(chunks) and _row(blocks, chunks[k]) == row:
        text = _shown(blocks, chunks[k], markdown).replace("\n", " ")
        if _cell(blocks, chunks[k]) == cell:  # a second paragraph of the same cell
            cells[-1] += " " + text
        else:
            cells.append(text)
            cell = _cell(blocks, chunks[k])
            owners.append(cell)
        k += 1
    return cells, k, owners


def _in_columns(blocks: Blocks, row: int, cells: list[str], owners: list[int], spanned: dict[int, int]) -> list[str]:
    """A Markdown row's cells in their table's columns, which pipe tables cannot span: an empty td/th is an
    empty cell (without it the cells after it moved a column left: the Debian reference's BRE | ERE table),
    a cell spanning n columns is followed by n - 1 empty cells, and a column held by a rowspan from a row
    above is an empty cell (PostgreSQL's operator classes: the class's name once, its operators below).
    ``spanned`` (column: rows still held) is the table's state from row to row. Rows whose cells are not
    the row's own td/th stay as they are."""
    columns = []
    e = row + 1
    while e < len(blocks.parent) and blocks.parent[e] >= row:  # the row's subtree (blocks are in document order)
        if blocks.parent[e] == row and blocks.tag[e] in CELL_TAGS:
            columns.append(e)
        e += 1
    held = {column for column, rows in spanned.items() if rows > 0}
    for column in held:
        spanned[column] -= 1
    if not set(owners) <= set(columns) or len(set(owners)) < len(owners):
        return cells
    text = dict(zip(owners, cells, strict=True))
    grid: list[str] = []
    for cell in columns:
        while len(grid) in held:
            grid.append("")
        rows, width = blocks.span.get(cell, (1, 1))
        for column in range(len(grid), len(grid) + width):
            if rows > 1:
                spanned[column] = rows - 1
        grid += [text.get(cell, "")] + [""] * (width - 1)
    return grid + [""] * (max(held, default=-1) + 1 - len(grid))


def _same_table(blocks: Blocks, chunks: list[int], k: int, row: int) -> bool:
    """Whether ``chunks[k]`` (when there is one) is in the table of ``row``."""
    if not 0 <= k < len(chunks):
        return False
    other = _row(blocks, chunks[k])
    return other >= 0 and _table(blocks, other) == _table(blocks, row)


def _one_row(blocks: Blocks, row: int) -> bool:
    """Whether a row is the only one of its table."""
    table = _table(blocks, row)
    return sum(tag == "tr" and _table(blocks, e) == table for e, tag in enumerate(blocks.tag)) == 1


def _table(blocks: Blocks, row: int) -> int:
    """The <table> around a row (-1 for none)."""
    while row >= 0 and blocks.tag[row] != "table":
        row = blocks.parent[row]
    return row


def _signature(cells: list[str]) -> str:
    """A prototype from its cells: "int array_list_add | ( | struct array_list * | al, | void * | data | )"
    is "int array_list_add(struct array_list * al, void * data)"."""
    text = ""
    for cell in cells:
        if cell == "(":
            text = text.rstrip() + "("
        elif cell.startswith(")"):
            text = text.rstrip() + cell
        else:
            text += ("" if not text or text.endswith("(") else " ") + cell
    return text


def _ancestors(parent: list[int], e: int) -> set[int]:
    chain = set()
    e = parent[e]
    while e >= 0:
        chain.add(e)
        e = parent[e]
    return chain


def main_text(body: LexborNode | None, markdown: bool = False,
              page_title: str = "") -> tuple[str, str, list[list[int]]]:
    """(headline, main text, code line ranges) of a page body; ("", "", []) when nothing reads like an article.
    ``page_title`` (the <title>) tells a site name in an h1 from the page's headline. The plain text leaves
    the headline to the title; Markdown opens with it ("# 4. More Control Flow Tools")."""
    if body is None:
        return "", "", []
    blocks = walk(body, page_title, markdown)
    dead = [False] * len(blocks.parent)
    for e in range(1, len(dead)):
        dead[e] = blocks.unlikely[e] > 0 or dead[blocks.parent[e]]
    selected = select(blocks, dead)
    headline, chunks = _trim(blocks, selected, page_title)
    if sum(len(blocks.text[i]) for i in chunks) < RETRY_BELOW_CHARS and any(blocks.unlikely):
        for e in range(1, len(dead)):  # the retry keeps only what is never an article's wrapper out
            dead[e] = blocks.unlikely[e] == CHROME_LEVEL or blocks.tag[e] == "aside" or dead[blocks.parent[e]]
        retry = select(blocks, dead)
        relaxed = _trim(blocks, retry, page_title)
        if sum(len(blocks.text[i]) for i in relaxed[1]) > sum(len(blocks.text[i]) for i in chunks):
            (headline, chunks), selected = relaxed, retry
    if headline and _home_link(body, headline):
        headline = ""
    text, code = render(blocks, _filled(blocks, chunks), markdown)
    heading = (headline or _title_heading(blocks, selected, chunks, page_title)) if markdown and text else ""
    if heading:  # a Markdown document opens with its title, as the page does
        text = f"# {' '.join(heading.split())}\n\n{text}"
        code = [[first + 2, end + 2] for first, end in code]
    return headline, text, code


def _title_heading(blocks: Blocks, selected: list[int], kept: list[int], page_title: str) -> str:
    """The heading _trim dropped from the top of the text because the <title> holds it (DocBook's section
    pages: "36.17. Internals" over its text and in its title), which opens a Markdown document as its title;
    not an h1, which is the headline or, when _trim or _home_link rejected it, the site's name."""
    for i in selected:
        if kept and i >= kept[0]:
            break
        tag = blocks.tag[blocks.owner[i]]
        if tag in HEADING_LEVEL and tag != "h1" and blocks.text[i] in page_title:
            return blocks.text[i]
    return ""
