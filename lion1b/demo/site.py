"""The demo website: three loopback hosts full of realistic pages, traps and faults, plus a manifest of it all.

Tests and the demo job crawl this instead of the internet. `build_site()` renders every static resource
(deterministic: same seed and base URLs give the same bytes); `DemoSite` binds one ThreadingHTTPServer per
host on loopback, serves those bytes plus the dynamic fault endpoints, and logs every request so a test can
check what a crawler did (robots obeyed, Crawl-delay kept, retries made). `site_pages()` gives the HTML
without a server for offline extraction/filter tests.

    python scripts/demo_site.py --serve [--port-base 8101] [--seed 0] [--manifest-out m.json]
"""

from __future__ import annotations

import html
import json
import random
import signal
import socket
import struct
import sys
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from lion1b.contract import ArgumentParser, atomic_write
from lion1b.demo.corpus import LANGS, Article, make_article, near_duplicate, sentence

HOSTS = ("news", "blog", "forum")
SITE_NAMES = {"news": "Northbridge Herald", "blog": "Field Notes", "forum": "Kommune Wiki"}
AI_TOKEN = "lion1b"  # the product token our crawler sends; robots.txt has a group for it
# Per host: the AI-training crawler its robots.txt addresses, and the sections it refuses that crawler on top of
# the common rules. One small section, not the whole host, so an AI-aware crawl still gets a corpus.
AI_OPTOUT = {"news": ("GPTBot", ["/archive/"]), "blog": ("CCBot", ["/longreads/"]),
             "forum": ("Google-Extended", [])}
DEFAULT_BASES = {h: f"http://127.0.0.1:{8101 + i}" for i, h in enumerate(HOSTS)}
HTML_UTF8 = "text/html; charset=utf-8"

UI: dict[str, dict[str, str]] = {
    "en": {
        "cookie": "We use cookies to improve your experience and to show personalised ads. "
                  "By continuing to browse you agree to our use of cookies.",
        "accept": "Accept all", "settings": "Cookie settings", "home": "Home", "search": "Search",
        "related": "Related stories", "ad": "Advertisement", "ad_text": "Save 20% on your next city break. Book now!",
        "newsletter": "Our newsletter", "newsletter_text": "The best stories of the week, every Friday in your inbox.",
        "subscribe": "Subscribe", "rights": "All rights reserved.", "about": "About us", "contact": "Contact",
        "privacy": "Privacy policy", "share": "Share this article", "comments": "Comments",
        "js": "Please enable JavaScript to view the comments.", "partners": "From our partners",
        "archive": "Archive", "login": "Log in", "register": "Register", "tags": "Tags", "posted": "Posted by",
        "reply": "Reply", "quote": "Quote", "by": "By",
    },
    "de": {
        "cookie": "Wir verwenden Cookies, um Ihr Erlebnis zu verbessern und personalisierte Werbung anzuzeigen. "
                  "Wenn Sie weitersurfen, stimmen Sie der Nutzung von Cookies zu.",
        "accept": "Alle akzeptieren", "settings": "Cookie-Einstellungen", "home": "Startseite", "search": "Suche",
        "related": "Das könnte Sie auch interessieren", "ad": "Anzeige",
        "ad_text": "Jetzt 20 % auf Ihre nächste Städtereise sparen!", "newsletter": "Unser Newsletter",
        "newsletter_text": "Die besten Geschichten der Woche, jeden Freitag in Ihrem Postfach.",
        "subscribe": "Abonnieren", "rights": "Alle Rechte vorbehalten.", "about": "Über uns",
        "contact": "Kontakt", "privacy": "Datenschutz", "share": "Artikel teilen", "comments": "Kommentare",
        "js": "Bitte aktivieren Sie JavaScript, um die Kommentare zu sehen.", "partners": "Von unseren Partnern",
        "archive": "Archiv", "login": "Anmelden", "register": "Registrieren", "tags": "Schlagwörter",
        "posted": "Verfasst von", "reply": "Antworten", "quote": "Zitieren", "by": "Von",
    },
    "fr": {
        "cookie": "Nous utilisons des cookies pour améliorer votre expérience et afficher des publicités "
                  "personnalisées. En poursuivant votre navigation, vous acceptez leur utilisation.",
        "accept": "Tout accepter", "settings": "Paramètres des cookies", "home": "Accueil", "search": "Rechercher",
        "related": "À lire aussi", "ad": "Publicité", "ad_text": "Économisez 20 % sur votre prochain week-end !",
        "newsletter": "Notre lettre d'information",
        "newsletter_text": "Les meilleurs articles de la semaine, chaque vendredi dans votre boîte mail.",
        "subscribe": "S'abonner", "rights": "Tous droits réservés.", "about": "Qui sommes-nous",
        "contact": "Contact", "privacy": "Confidentialité", "share": "Partager l'article",
        "comments": "Commentaires", "js": "Veuillez activer JavaScript pour afficher les commentaires.",
        "partners": "Chez nos partenaires", "archive": "Archives", "login": "Connexion", "register": "Inscription",
        "tags": "Mots-clés", "posted": "Publié par", "reply": "Répondre", "quote": "Citer", "by": "Par",
    },
    "es": {
        "cookie": "Utilizamos cookies para mejorar su experiencia y mostrar publicidad personalizada. "
                  "Si continúa navegando, acepta su uso.",
        "accept": "Aceptar todo", "settings": "Configurar cookies", "home": "Inicio", "search": "Buscar",
        "related": "Noticias relacionadas", "ad": "Publicidad",
        "ad_text": "Ahorre un 20 % en su próxima escapada. ¡Reserve ya!", "newsletter": "Nuestro boletín",
        "newsletter_text": "Las mejores historias de la semana, cada viernes en su correo.",
        "subscribe": "Suscribirse", "rights": "Todos los derechos reservados.", "about": "Quiénes somos",
        "contact": "Contacto", "privacy": "Privacidad", "share": "Compartir artículo", "comments": "Comentarios",
        "js": "Active JavaScript para ver los comentarios.", "partners": "De nuestros socios",
        "archive": "Archivo", "login": "Entrar", "register": "Registrarse", "tags": "Etiquetas",
        "posted": "Publicado por", "reply": "Responder", "quote": "Citar", "by": "Por",
    },
    "ja": {
        "cookie": "当サイトでは、利便性の向上と広告の表示のためにクッキーを使用しています。"
                  "閲覧を続けると、クッキーの使用に同意したものとみなされます。",
        "accept": "すべて許可", "settings": "クッキーの設定", "home": "ホーム", "search": "検索",
        "related": "関連記事", "ad": "広告", "ad_text": "次の旅行が二割引きに。今すぐ予約を。",
        "newsletter": "メールマガジン", "newsletter_text": "一週間の注目記事を毎週金曜日にお届けします。",
        "subscribe": "登録する", "rights": "無断転載を禁じます。", "about": "会社概要", "contact": "お問い合わせ",
        "privacy": "個人情報の取り扱い", "share": "記事を共有", "comments": "コメント",
        "js": "コメントを表示するにはJavaScriptを有効にしてください。", "partners": "提携サイトから",
        "archive": "アーカイブ", "login": "ログイン", "register": "新規登録", "tags": "タグ", "posted": "投稿者",
        "reply": "返信", "quote": "引用", "by": "文",
    },
}
LANG_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "ja": "日本語"}


@dataclass(frozen=True)
class Resource:
    """A static response: status, headers (Content-Type included) and the exact body bytes."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("Content-Type", HTML_UTF8),)


class DemoPage(NamedTuple):
    url: str
    html: str
    lang: str
    kind: str  # article | near_duplicate | exact_duplicate | legacy | low_quality | index | static


@dataclass
class SiteContent:
    routes: dict[str, Resource]  # absolute URL without query → response
    pages: list[DemoPage]
    manifest: dict[str, Any]


# ---- HTML ---------------------------------------------------------------------------------------------------

def esc(s: str) -> str:
    return html.escape(s, quote=True)


def links_html(links: list[tuple[str, str]]) -> str:
    return "".join(f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for u, t in links)


def article_html(art: Article, ui: dict[str, str], h1_class: str = "") -> str:
    cls = f' class="{h1_class}"' if h1_class else ""
    parts = [f"<h1{cls}>{esc(art.title)}</h1>",
             f'<p class="byline">{esc(ui["by"])} <span class="author">{esc(art.author)}</span> &middot; '
             f'<time datetime="{art.published.isoformat()}">{art.published.isoformat()}</time></p>']
    for kind, text in art.blocks:
        parts.append(f"<h2>{esc(text)}</h2>" if kind == "h2" else f"<p>{esc(text)}</p>")
    return "\n".join(parts)


def head(lang: str, title: str, charset_meta: str | None, extra_meta: str, css: str) -> str:
    meta = f'<meta charset="{charset_meta}">\n' if charset_meta else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{meta}<title>{esc(title)}</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{extra_meta}'
            f'<link rel="stylesheet" href="{css}">\n'
            "<script>window.dataLayer=window.dataLayer||[];function track(){dataLayer.push(arguments);}"
            "track('page_view');</script>\n</head>\n")


def news_page(lang: str, title: str, main: str, related: list[tuple[str, str]], partners: list[tuple[str, str]],
              charset_meta: str | None = "utf-8", extra_meta: str = "") -> str:
    ui = UI[lang]
    nav = [("/", ui["home"])] + [(f"/{code}/", LANG_NAMES[code]) for code in LANGS]
    footer = [("/about.html", ui["about"]), ("/contact.html", ui["contact"]), ("/privacy.html", ui["privacy"]),
              ("/files/annual-report-2024.pdf", "Annual report (PDF)"), ("/lab/", "Labs"),
              ("/members/archive.html", "Members"), ("/private/staff-notes.html", "Staff")]
    return head(lang, f"{title} | Northbridge Herald", charset_meta, extra_meta, "/static/herald.css") + f"""\
<body class="article-page">
<div id="cookie-banner" class="cookie-banner" role="dialog"><p>{esc(ui["cookie"])}</p>
<button type="button">{esc(ui["accept"])}</button> <a href="/privacy.html">{esc(ui["settings"])}</a></div>
<header class="site-header">
<a class="logo" href="/">Northbridge Herald</a>
<nav class="main-nav"><ul>{links_html(nav)}</ul></nav>
<form class="search" action="/search" method="get"><input type="search" name="q" placeholder="{esc(ui["search"])}">\
<button type="submit">{esc(ui["search"])}</button></form>
</header>
<div class="container">
<main id="content">
<article class="story">
{main}
<div class="share"><a href="javascript:void(0)">{esc(ui["share"])}</a></div>
</article>
</main>
<aside class="sidebar">
<section class="related"><h3>{esc(ui["related"])}</h3><ul>{links_html(related)}</ul></section>
<div class="ad-slot"><span class="ad-label">{esc(ui["ad"])}</span><p>{esc(ui["ad_text"])}</p></div>
<section class="newsletter"><h3>{esc(ui["newsletter"])}</h3><p>{esc(ui["newsletter_text"])}</p>
<form><input type="email" name="email"><button type="submit">{esc(ui["subscribe"])}</button></form></section>
<section class="partners"><h3>{esc(ui["partners"])}</h3><ul>{links_html(partners)}</ul></section>
</aside>
</div>
<footer class="site-footer"><ul>{links_html(footer)}</ul>
<p>&copy; 2024 Northbridge Herald. {esc(ui["rights"])}</p></footer>
</body>
</html>
"""


def blog_page(lang: str, title: str, main: str, related: list[tuple[str, str]], partners: list[tuple[str, str]],
              charset_meta: str | None = "utf-8", extra_meta: str = "") -> str:
    ui = UI[lang]
    return head(lang, f"{title} - Field Notes", charset_meta, extra_meta, "/assets/notes.css") + f"""\
<body>
<div class="topbar"><span class="brand">Field Notes</span> <a href="/">{esc(ui["home"])}</a> \
<a href="/archive/">{esc(ui["archive"])}</a> <a href="/about.html">{esc(ui["about"])}</a></div>
<div class="gdpr-notice">{esc(ui["cookie"])} <a href="#" class="ok">OK</a></div>
<div class="wrap">
<div class="col-left">
<div class="widget"><h4>{esc(ui["related"])}</h4><ul>{links_html(related)}</ul></div>
<div class="widget ad"><small>{esc(ui["ad"])}</small> {esc(ui["ad_text"])}</div>
<div class="widget"><h4>{esc(ui["partners"])}</h4><ul>{links_html(partners)}</ul></div>
</div>
<div class="col-main">
<div class="post">
{main}
<div class="tags">{esc(ui["tags"])}: <a href="/tag/city/">city</a>, <a href="/tag/notes/">notes</a></div>
</div>
<div id="comments"><h3>{esc(ui["comments"])}</h3><noscript>{esc(ui["js"])}</noscript>
<p class="js-warning">{esc(ui["js"])}</p></div>
</div>
</div>
<div class="footer"><a href="/contact.html">{esc(ui["contact"])}</a> | <a href="/drafts/next-post.html">Drafts</a> | \
&copy; Field Notes. {esc(ui["rights"])}</div>
</body>
</html>
"""


def forum_page(lang: str, title: str, main: str, related: list[tuple[str, str]], partners: list[tuple[str, str]],
               charset_meta: str | None = "utf-8", extra_meta: str = "") -> str:
    ui = UI[lang]
    return head(lang, f"{title} - Kommune Wiki", charset_meta, extra_meta, "/skins/kommune.css") + f"""\
<body>
<table class="layout"><tr><td class="logo"><a href="/">Kommune Wiki</a></td>
<td class="userbar"><a href="/user/login">{esc(ui["login"])}</a> | <a href="/user/register">{esc(ui["register"])}</a>\
</td></tr></table>
<div class="notice">{esc(ui["cookie"])} <button>{esc(ui["accept"])}</button></div>
<div class="breadcrumbs"><a href="/">Kommune</a> &raquo; <a href="/wiki/">Wiki</a> &raquo; {esc(title)}</div>
<div id="page">
<div class="post-content">
{main}
</div>
<div class="signature">{esc(ui["posted"])} user{len(title) * 7 % 900 + 100} | \
<a href="#reply">{esc(ui["reply"])}</a> | <a href="#quote">{esc(ui["quote"])}</a></div>
</div>
<div class="sidebar-right"><b>{esc(ui["related"])}</b><ul>{links_html(related)}</ul>
<b>{esc(ui["partners"])}</b><ul>{links_html(partners)}</ul>
<div class="ad">{esc(ui["ad"])}: {esc(ui["ad_text"])}</div></div>
<div class="footer"><a href="/about.html">{esc(ui["about"])}</a> | <a href="/wiki/Special:Random">Random page</a> | \
{esc(ui["rights"])}</div>
</body>
</html>
"""


TEMPLATES = {"news": news_page, "blog": blog_page, "forum": forum_page}


def slug(art: Article, idx: int) -> str:
    if art.lang == "ja":
        return f"kiji-{idx:03d}"
    ascii_title = unicodedata.normalize("NFKD", art.title).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in ascii_title).split()
    return "-".join(words[:7]) + f"-{idx}"


# ---- binary files and the gzip bomb -------------------------------------------------------------------------

def png_bytes(width: int = 64, height: int = 32) -> bytes:
    """A real (tiny, striped) PNG, so a content sniffer sees a genuine image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 8 % 256, 160))
                    for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def pdf_bytes(text: str) -> bytes:
    """A minimal valid one-page PDF (xref offsets computed), so a PDF parser would open it."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def gzip_bomb(decompressed_mib: int = 128) -> bytes:
    """gzip of `decompressed_mib` MiB of zeros in ~130 KB, built in milliseconds.

    Each 1 MiB block is deflated once and ended with a full flush (which resets the compressor's history),
    so every block compresses to the same bytes and can simply be repeated; the trailer CRC is computed
    over the zeros directly.
    """
    zeros = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(decompressed_mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + block * decompressed_mib + comp.flush() + struct.pack("<II", crc, (decompressed_mib << 20) % 2**32)


# ---- building the whole site --------------------------------------------------------------------------------

@dataclass
class _Builder:
    bases: dict[str, str]
    seed: int
    crawl_delay: float
    routes: dict[str, Resource] = field(default_factory=dict)
    pages: list[DemoPage] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    pii: list[dict[str, str]] = field(default_factory=list)
    negatives: list[dict[str, str]] = field(default_factory=list)

    def rng(self, purpose: str) -> random.Random:
        return random.Random(f"demo-site:{self.seed}:{purpose}")

    def url(self, host: str, path: str) -> str:
        return self.bases[host] + path

    def add(self, host: str, path: str, res: Resource) -> str:
        url = self.url(host, path)
        if url in self.routes:
            raise ValueError(f"demo site: duplicate route {url}")
        self.routes[url] = res
        return url

    def add_html(self, host: str, path: str, page: str, lang: str, kind: str, *, encoding: str = "utf-8",
                 headers: tuple[tuple[str, str], ...] = (("Content-Type", HTML_UTF8),)) -> str:
        url = self.add(host, path, Resource(200, page.encode(encoding), headers))
        self.pages.append(DemoPage(url, page, lang, kind))
        return url

    def add_article(self, host: str, path: str, art: Article, kind: str, related: list[tuple[str, str]],
                    partners: list[tuple[str, str]], *, dup_of: str | None = None, encoding: str = "utf-8",
                    charset_meta: str | None = "utf-8", extra_meta: str = "",
                    headers: tuple[tuple[str, str], ...] = (("Content-Type", HTML_UTF8),), **flags: Any) -> str:
        main = article_html(art, UI[art.lang], "post-title" if host == "blog" else "")
        page = TEMPLATES[host](art.lang, art.title, main, related, partners, charset_meta, extra_meta)
        url = self.add_html(host, path, page, art.lang, kind, encoding=encoding, headers=headers)
        self.record_article(url, host, art, kind, dup_of, encoding=encoding, **flags)
        return url

    def record_article(self, url: str, host: str, art: Article, kind: str, dup_of: str | None,
                       **flags: Any) -> None:
        entry = {"url": url, "host": host, "lang": art.lang, "kind": kind, "title": art.title, "text": art.text,
                 "dup_of": dup_of, "disallowed": False, "optout": None, "encoding": "utf-8", "sitemap_only": False}
        entry.update(flags)
        self.articles.append(entry)
        self.pii += [{"url": url, "kind": k, "value": v, "lang": art.lang} for k, v in art.pii]
        self.negatives += [{"url": url, "kind": k, "value": v, "lang": art.lang} for k, v in art.negatives]


def build_site(bases: dict[str, str] | None = None, seed: int = 0, crawl_delay: float = 0.2) -> SiteContent:
    """Render every static resource of the three hosts and the manifest that describes them."""
    bases = dict(bases or DEFAULT_BASES)
    b = _Builder(bases, seed, crawl_delay)
    manifest: dict[str, Any] = {"seed": seed, "hosts": bases, "ai_token": AI_TOKEN,
                                "seeds": [bases[h] + "/" for h in HOSTS]}

    # Articles first (their URLs feed the link lists), rendered after.
    rng = b.rng("news")
    news: list[tuple[str, Article]] = []
    for lang in LANGS:
        for i in range(26):
            art = make_article(rng, lang, pii=i % 6 == 1, negatives=i % 5 == 2)
            news.append((f"/{lang}/{art.published.year}/{art.published.month:02d}/{slug(art, i)}.html", art))
    rng = b.rng("blog")
    blog: list[tuple[str, Article]] = []
    for i in range(60):
        lang = LANGS[i % len(LANGS)]
        art = make_article(rng, lang, pii=i % 9 == 4, negatives=i % 7 == 3)
        blog.append((f"/posts/{slug(art, i)}/", art))
    sitemap_only = {blog[58][0], blog[59][0]}  # linked from nowhere: only the sitemap leads there
    rng = b.rng("forum")
    wiki = [(f"/wiki/page-{i}", make_article(rng, ("de", "ja", "en")[i % 3], pii=i % 5 == 0)) for i in range(15)]

    by_lang: dict[str, list[str]] = {}
    for path, art in news:
        by_lang.setdefault(art.lang, []).append(path)
    blog_by_lang: dict[str, list[str]] = {}
    for path, art in blog:
        if path not in sitemap_only:
            blog_by_lang.setdefault(art.lang, []).append(path)

    def related(paths: list[str], here: str, n: int = 4) -> list[tuple[str, str]]:
        i = paths.index(here) if here in paths else 0
        picks = [paths[(i + k) % len(paths)] for k in range(1, n + 1)]
        return [(p, title_of[p]) for p in picks if p != here]

    title_of = {p: a.title for p, a in news + blog + wiki}

    def partners(host: str, lang: str, k: int) -> list[tuple[str, str]]:
        if host == "news":
            paths = blog_by_lang[lang]
            return [(bases["blog"] + paths[k % len(paths)], title_of[paths[k % len(paths)]])]
        paths = by_lang[lang if lang in by_lang else "en"]
        return [(bases["news"] + paths[k % len(paths)], title_of[paths[k % len(paths)]])]

    # -- news host: articles, exact byte-identical archive copies, redirects, files, robots-disallowed pages.
    for k, (path, art) in enumerate(news):
        b.add_article("news", path, art, "article", related(by_lang[art.lang], path), partners("news", art.lang, k))
    for path, _ in news[::40]:
        original = b.routes[b.url("news", path)]
        b.routes[b.url("news", "/archive" + path)] = original
        b.pages.append(DemoPage(b.url("news", "/archive" + path), original.body.decode(), path[1:3], "exact_duplicate"))
        b.record_article(b.url("news", "/archive" + path), "news", dict(news)[path], "exact_duplicate",
                         b.url("news", path), identical_bytes=True)
    blocked_art = make_article(b.rng("blocked"), "en")
    disallowed = [
        b.add_article("news", "/members/archive.html", blocked_art, "article", [], [], disallowed=True),
        b.add_article("news", "/private/staff-notes.html", make_article(b.rng("staff"), "en"), "article", [], [],
                      disallowed=True),
        b.add_html("news", "/search", news_page("en", "Search", "<h1>Search</h1><p>No query.</p>", [], []),
                   "en", "static"),
    ]
    disallowed[2] += "?q=weather"  # the footer search form and the lab page link here with a query

    files = {
        "pdf": b.add("news", "/files/annual-report-2024.pdf",
                     Resource(200, pdf_bytes("Northbridge Herald annual report 2024"),
                              (("Content-Type", "application/pdf"),))),
        "png": b.add("news", "/images/harbour.png", Resource(200, png_bytes(), (("Content-Type", "image/png"),))),
    }
    b.add("news", "/static/herald.css", Resource(200, b"body{font-family:serif}\n", (("Content-Type", "text/css"),)))

    first_en, second_blog = news[0][0], blog[1][0]
    redirects = [
        {"url": b.url("news", "/old/story-1"), "final": b.url("news", first_en),
         "chain": [b.url("news", "/old/story-1")]},
        {"url": b.url("news", "/r/start"), "final": b.url("blog", second_blog),
         "chain": [b.url("news", "/r/start"), b.url("news", "/r/hop-2"), b.url("news", "/r/hop-3")]},
    ]
    b.add("news", "/old/story-1", Resource(301, b"", (("Location", first_en),)))  # relative Location
    b.add("news", "/r/start", Resource(301, b"", (("Location", b.url("news", "/r/hop-2")),)))
    b.add("news", "/r/hop-2", Resource(302, b"", (("Location", "/r/hop-3"),)))
    b.add("news", "/r/hop-3", Resource(307, b"", (("Location", b.url("blog", second_blog)),)))
    loop = [b.url("news", "/r/loop-a"), b.url("news", "/r/loop-b")]
    b.add("news", "/r/loop-a", Resource(302, b"", (("Location", "/r/loop-b"),)))
    b.add("news", "/r/loop-b", Resource(302, b"", (("Location", "/r/loop-a"),)))
    not_found = [b.url("news", "/en/2023/01/deleted-story.html"), b.url("blog", "/posts/removed/")]

    faults = {name: b.url("news", path) for name, path in [
        ("slow", "/fault/slow"), ("reset", "/fault/reset"), ("flaky", "/fault/flaky/1"),
        ("rate_limited", "/fault/rate-limit/1"), ("trap", "/trap/1"), ("oversize", "/fault/oversize"),
        ("oversize_stream", "/fault/oversize-stream"), ("gzip_bomb", "/fault/gzip-bomb")]}
    archived = [e["url"] for e in b.articles if e["kind"] == "exact_duplicate"]
    lab_links = [(u, n) for n, u in faults.items()] + [(u, "archived") for u in archived]
    lab_links += [(r["url"], "old link") for r in redirects] + [
        (loop[0], "loop"), (not_found[0], "deleted story"), (not_found[1], "removed post"),
        (files["png"], "harbour photo"), (files["pdf"], "annual report"), (disallowed[2], "search")]
    b.add_html("news", "/lab/", news_page("en", "Labs", "<h1>Labs</h1><p>Experimental pages of the newsroom.</p>",
                                          lab_links, []), "en", "index")

    # -- blog host: posts, near duplicates of news articles, opt-out pages, long reads, legacy charsets.
    for k, (path, art) in enumerate(blog):
        b.add_article("blog", path, art, "article", related(blog_by_lang[art.lang], path),
                      partners("blog", art.lang, k), sitemap_only=path in sitemap_only)
    rng = b.rng("near")
    near = []
    for path, art in news[3::9][:15]:
        dup = near_duplicate(rng, art)
        near.append(b.add_article("blog", f"/posts/syndicated/{slug(art, len(near))}/", dup, "near_duplicate",
                                  [], partners("blog", art.lang, 0), dup_of=b.url("news", path)))
    rng = b.rng("optout")
    optout = []
    for i, (signal_name, lang) in enumerate([("x-robots-tag", "en"), ("meta-robots", "fr"), ("tdm-header", "de"),
                                             ("tdm-meta", "es")]):
        art = make_article(rng, lang)
        headers: tuple[tuple[str, str], ...] = (("Content-Type", HTML_UTF8),)
        meta = ""
        if signal_name == "x-robots-tag":
            headers += (("X-Robots-Tag", "noai"),)
        elif signal_name == "meta-robots":
            meta = '<meta name="robots" content="noai">\n'
        elif signal_name == "tdm-header":
            headers += (("tdm-reservation", "1"),)
        else:
            meta = '<meta name="tdm-reservation" content="1">\n'
        url = b.add_article("blog", f"/posts/{slug(art, 100 + i)}/", art, "article", [], [], extra_meta=meta,
                            headers=headers, optout=signal_name)
        optout.append({"url": url, "signal": signal_name})

    rng = b.rng("longreads")
    longreads = [b.add_article("blog", f"/longreads/{slug(art, 200 + i)}/", art, "article", [], [])
                 for i, art in enumerate(make_article(rng, lang) for lang in ("en", "es"))]

    rng = b.rng("legacy")
    legacy = []
    for enc, lang, prefix in [("windows-1252", "de", "/archiv/"), ("shift_jis", "ja", "/ja/furui/")]:
        for declared in ("meta", "header", "none"):
            art = make_article(rng, lang)
            if enc == "windows-1252":  # make sure bytes 0x80-0x9F (cp1252-only) occur: „…“ quotes and €
                art.blocks.append(("p", f"„Das kostet 12 € pro Monat“, sagte {art.author}."))
            ctype = f"text/html; charset={enc}" if declared == "header" else "text/html"
            url = b.add_article("blog", f"{prefix}{declared}.html", art, "legacy", [], [], encoding=enc,
                                charset_meta=enc if declared == "meta" else None, headers=(("Content-Type", ctype),))
            snippet = next(t for k, t in art.blocks if k == "p").split("。" if lang == "ja" else ". ")[0]
            legacy.append({"url": url, "encoding": enc, "declared": declared, "lang": lang, "snippet": snippet})
    css = (("Content-Type", "text/css"),)
    b.add("blog", "/assets/notes.css", Resource(200, b"body{font-family:sans-serif}\n", css))
    b.add_html("blog", "/drafts/next-post.html", blog_page("en", "Draft", "<h1>Draft</h1><p>Not ready.</p>", [], []),
               "en", "static")
    b.add_html("blog", "/tag/city/", blog_page("en", "Tag: city", "<h1>city</h1>", [], []), "en", "index")
    b.add_html("blog", "/tag/notes/", blog_page("en", "Tag: notes", "<h1>notes</h1>", [], []), "en", "index")

    # -- forum host: wiki pages, exact duplicates of news articles, low-quality pages.
    for k, (path, art) in enumerate(wiki):
        b.add_article("forum", path, art, "article", [(p, title_of[p]) for p, _ in wiki[k + 1:k + 4]],
                      partners("forum", art.lang, k))
    exact = []
    for n, (path, art) in enumerate(news[1::11][:12]):
        exact.append(b.add_article("forum", f"/mirror/{n}.html", art, "exact_duplicate", [], [],
                                   dup_of=b.url("news", path), identical_bytes=False))
    low_quality = _low_quality_pages(b)
    b.add("forum", "/skins/kommune.css", Resource(200, b"table{width:100%}\n", (("Content-Type", "text/css"),)))
    for path, text in [("/user/login", "Log in"), ("/user/register", "Register"),
                       ("/wiki/Special:Random", "Random page")]:
        b.add_html("forum", path, forum_page("en", text, f"<h1>{text}</h1>", [], []), "en", "static")

    # -- per-host about/contact/privacy pages, indexes, robots.txt, sitemaps.
    for host in HOSTS:
        for path, title in [("/about.html", "About us"), ("/contact.html", "Contact"), ("/privacy.html", "Privacy")]:
            if (host == "forum" and path != "/about.html") or (host == "blog" and path == "/privacy.html"):
                continue
            body = f"<h1>{title}</h1><p>{SITE_NAMES[host]} is an independent publication.</p>"
            b.add_html(host, path, TEMPLATES[host]("en", title, body, [], []), "en", "static")
    news_home = [(f"/{lang}/", LANG_NAMES[lang]) for lang in LANGS] + [(p, title_of[p]) for p, _ in news[::13]]
    b.add_html("news", "/", news_page("en", "Front page", "<h1>Northbridge Herald</h1>", news_home,
                                      [(bases["blog"] + "/", "Field Notes"), (bases["forum"] + "/", "Kommune")]),
               "en", "index")
    for lang in LANGS:
        b.add_html("news", f"/{lang}/", news_page(lang, LANG_NAMES[lang], f"<h1>{LANG_NAMES[lang]}</h1>",
                                                  [(p, title_of[p]) for p in by_lang[lang]], []), lang, "index")
    listed = [(p, title_of[p]) for p, _ in blog if p not in sitemap_only]
    b.add_html("blog", "/", blog_page("en", "Field Notes", "<h1>Field Notes</h1>", listed[:20],
                                      [(bases["news"] + "/", "Northbridge Herald")]), "en", "index")
    b.add_html("blog", "/archive/", blog_page("en", "Archive", "<h1>Archive</h1>", listed[20:] + [
        (u.removeprefix(bases["blog"]), "syndicated") for u in near] + [
        (o["url"].removeprefix(bases["blog"]), "post") for o in optout] + [
        (u.removeprefix(bases["blog"]), "long read") for u in longreads] + [
        (x["url"].removeprefix(bases["blog"]), "old post") for x in legacy], []), "en", "index")
    forum_links = [(p, title_of[p]) for p, _ in wiki] + [(u.removeprefix(bases["forum"]), "mirror") for u in exact]
    b.add_html("forum", "/", forum_page("en", "Kommune Wiki", "<h1>Kommune Wiki</h1>", forum_links,
                                        [(bases["news"] + "/", "Northbridge Herald")]), "en", "index")
    b.add_html("forum", "/wiki/", forum_page("en", "Wiki", "<h1>Wiki</h1>", forum_links[:15], []), "en", "index")
    b.add_html("forum", "/board/", forum_page("en", "Board", "<h1>Board</h1>", [
        (x["url"].removeprefix(bases["forum"]), x["kind"]) for x in low_quality], []), "en", "index")

    robots = _robots(b, disallowed)
    for e in b.articles:
        bot, sections = AI_OPTOUT[e["host"]]
        if any(e["url"].startswith(b.url(e["host"], p)) for p in sections):
            e["optout"] = "robots-ai"
            optout.append({"url": e["url"], "signal": "robots-ai", "agent": bot})
    for host in HOSTS:
        locs = [e["url"] for e in b.articles if e["host"] == host and not e["disallowed"]]
        xml = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        xml += [f"<url><loc>{esc(u)}</loc></url>" for u in locs] + ["</urlset>", ""]
        b.add(host, "/sitemap.xml", Resource(200, "\n".join(xml).encode(), (("Content-Type", "application/xml"),)))

    manifest.update({
        "articles": b.articles, "pii": b.pii, "negatives": b.negatives, "robots": robots,
        "sitemaps": {h: b.url(h, "/sitemap.xml") for h in HOSTS},
        "sitemap_only": sorted(b.url("blog", p) for p in sitemap_only),
        "exact_duplicates": [{"url": e["url"], "of": e["dup_of"], "identical_bytes": e["identical_bytes"]}
                             for e in b.articles if e["kind"] == "exact_duplicate"],
        "near_duplicates": [{"url": e["url"], "of": e["dup_of"]} for e in b.articles if e["kind"] == "near_duplicate"],
        "redirects": redirects, "redirect_loop": loop, "not_found": not_found,
        "binary": [{"url": files["pdf"], "content_type": "application/pdf"},
                   {"url": files["png"], "content_type": "image/png"}],
        "legacy_charset": legacy, "optout": optout, "low_quality": low_quality, "faults": faults,
    })
    return SiteContent(b.routes, b.pages, manifest)


def _low_quality_pages(b: _Builder) -> list[dict[str, str]]:
    """Pages a quality filter should drop, each a different failure: no prose, boilerplate only, spam."""
    rng = b.rng("low")
    lorem = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
             "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.")
    pages = {
        "lorem_ipsum": "<h1>Lorem ipsum</h1>" + f"<p>{lorem}</p>" * 8,
        "javascript_warning": "<h1>Loading</h1>" + "".join(
            f"<p>{t}</p>" for t in ["Please enable JavaScript to continue.", "This site requires JavaScript.",
                                    "Your browser does not support JavaScript or it is disabled.",
                                    "Enable JavaScript and cookies to continue."] * 3),
        "link_list": "<h1>Links</h1><ul>" + "".join(
            f'<li><a href="/wiki/page-{i}">Page {i}</a></li>' for i in range(15)) + "</ul>",
        "too_short": "<h1>Coming soon</h1><p>Stay tuned.</p>",
        "keyword_stuffing": "<h1>Cheap flights</h1>" + "".join(
            "<p>" + " ".join(rng.choice(["cheap flights", "best price", "cheap hotels", "discount", "buy now",
                                         "free"]) for _ in range(40)) + "</p>" for _ in range(6)),
        "repeated_lines": "<h1>Announcements</h1>" + "<p>The forum will be closed for maintenance tonight.</p>" * 30,
        "all_caps": "<h1>READ THIS</h1>" + "".join(f"<p>{sentence(rng, 'en').upper()}</p>" for _ in range(12)),
    }
    out = []
    for kind, main in pages.items():
        url = b.add_html("forum", f"/board/{kind.replace('_', '-')}.html",
                         forum_page("en", kind.replace("_", " ").title(), main, [], []), "en", "low_quality")
        out.append({"url": url, "kind": kind})
    return out


def _robots(b: _Builder, disallowed: list[str]) -> dict[str, dict[str, Any]]:
    """robots.txt per host. The `lion1b` and AI-bot groups repeat the `*` rules because a crawler obeys only its
    own group; the AI bot's group adds the host's AI opt-out sections (`AI_OPTOUT`)."""
    rules = {
        "news": (["/private/", "/search"], ["/members/"], None),
        "blog": (["/drafts/", "/tag/"], [], None),
        "forum": (["/user/"], ["/wiki/Special:"], b.crawl_delay),
    }
    blocked = {"news": disallowed, "blog": [b.url("blog", p) for p in ("/drafts/next-post.html", "/tag/city/",
                                                                           "/tag/notes/")],
               "forum": [b.url("forum", p) for p in ("/user/login", "/user/register", "/wiki/Special:Random")]}
    out = {}
    for host, (common, ours, delay) in rules.items():
        ai_bot, ai_sections = AI_OPTOUT[host]
        delay_line = [f"Crawl-delay: {delay}"] if delay else []
        lines = [f"# robots.txt for {SITE_NAMES[host]}", f"User-agent: {ai_bot}",
                 *[f"Disallow: {p}" for p in common + ai_sections], *delay_line, "",
                 f"User-agent: {AI_TOKEN}", *[f"Disallow: {p}" for p in common + ours], *delay_line, "",
                 "User-agent: *", *[f"Disallow: {p}" for p in common], *delay_line, "",
                 f"Sitemap: {b.url(host, '/sitemap.xml')}", ""]
        text = "\n".join(lines)
        b.add(host, "/robots.txt", Resource(200, text.encode(), (("Content-Type", "text/plain; charset=utf-8"),)))
        out[host] = {"url": b.url(host, "/robots.txt"), "text": text, "crawl_delay": delay,
                     "disallowed_urls": blocked[host], "ai_bot": ai_bot, "ai_sections": ai_sections}
    return out


def site_pages(seed: int = 0, bases: dict[str, str] | None = None) -> Iterator[DemoPage]:
    """Every HTML page of the demo site, without a server (url, html, lang, kind)."""
    yield from build_site(bases, seed).pages


# ---- the server ---------------------------------------------------------------------------------------------

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], site: DemoSite, host_key: str) -> None:
        super().__init__(addr, _Handler)
        self.site, self.host_key = site, host_key

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so a close-delimited body and a reset are unambiguous.
    protocol_version = "HTTP/1.0"
    server: _Server

    def version_string(self) -> str:
        return "DemoSite/1.0"

    def do_GET(self) -> None:
        self.server.site._serve(self, self.server.host_key, head=False)

    def do_HEAD(self) -> None:
        self.server.site._serve(self, self.server.host_key, head=True)

    def log_message(self, format: str, *args: Any) -> None:  # the site keeps its own log
        pass


class DemoSite:
    """Start all hosts on loopback, serve the demo site, record every request; use as a context manager."""

    def __init__(self, seed: int = 0, port_base: int | None = None, crawl_delay: float = 0.2,
                 slow_seconds: float = 1.0, oversize_bytes: int = 5 * 2**20, bomb_mib: int = 128,
                 host: str = "127.0.0.1") -> None:
        self.seed, self.port_base, self.crawl_delay, self.host = seed, port_base, crawl_delay, host
        self.slow_seconds, self.oversize_bytes, self.bomb_mib = slow_seconds, oversize_bytes, bomb_mib
        self.bases: dict[str, str] = {}
        self.manifest: dict[str, Any] = {}
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._routes: dict[str, Resource] = {}
        self._lock = threading.Lock()
        self._log: list[dict[str, Any]] = []
        self._counters: dict[str, int] = {}
        self._stopping = threading.Event()
        self._bomb: bytes | None = None

    def start(self) -> DemoSite:
        try:
            for i, key in enumerate(HOSTS):
                port = 0 if self.port_base is None else self.port_base + i
                self._servers.append(_Server((self.host, port), self, key))
        except OSError as e:
            self.stop()
            raise OSError(f"demo site: cannot bind {self.host}:{port}: {e.strerror or e}") from e
        ports = [s.server_address[1] for s in self._servers]
        self.bases = {key: f"http://{self.host}:{port}" for key, port in zip(HOSTS, ports, strict=True)}
        content = build_site(self.bases, self.seed, self.crawl_delay)
        self._routes, self.manifest = content.routes, content.manifest
        for s in self._servers:
            t = threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for s in self._servers:
            if self._threads:
                s.shutdown()
            s.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Snapshot of the request log: time, t (monotonic), host, host_key, method, path, status, user_agent."""
        with self._lock:
            return list(self._log)

    @property
    def planted_pii(self) -> list[dict[str, str]]:
        return self.manifest["pii"]

    def reset_log(self) -> None:
        """Forget logged requests and the per-path fault counters, so the next test sees a fresh site."""
        with self._lock:
            self._log.clear()
            self._counters.clear()

    def url(self, host_key: str, path: str) -> str:
        return self.bases[host_key] + path

    # -- request handling --

    def _record(self, h: _Handler, host_key: str, status: int, t: float, wall: float) -> None:
        entry = {"time": wall, "t": t, "host": f"{self.host}:{h.server.server_address[1]}", "host_key": host_key,
                 "method": h.command, "path": h.path, "status": status, "user_agent": h.headers.get("User-Agent", "")}
        with self._lock:
            self._log.append(entry)

    def _count(self, key: str) -> int:
        with self._lock:
            self._counters[key] = self._counters.get(key, 0) + 1
            return self._counters[key]

    def _serve(self, h: _Handler, host_key: str, head: bool) -> None:
        t, wall = time.monotonic(), time.time()
        parts = urlsplit(h.path)
        path, query = parts.path, parse_qs(parts.query)
        try:
            if host_key == "news" and (path.startswith("/fault/") or path.startswith("/trap/")):
                self._fault(h, host_key, path, query, head, t, wall)
                return
            res = self._routes.get(self.bases[host_key] + path) or _not_found(path)
            self._record(h, host_key, res.status, t, wall)
            self._send(h, res, head)
        except (ConnectionError, TimeoutError):
            pass  # the client went away; nothing to answer

    def _send(self, h: _Handler, res: Resource, head: bool) -> None:
        h.send_response(res.status)
        for k, v in res.headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(res.body)))
        h.end_headers()
        if not head:
            h.wfile.write(res.body)

    def _fault(self, h: _Handler, host_key: str, path: str, query: dict[str, list[str]], head: bool,
               t: float, wall: float) -> None:
        def num(name: str, default: float, hi: float) -> float:
            try:
                return min(max(float(query.get(name, [default])[0]), 0.0), hi)
            except ValueError:
                return default

        page = Resource(200, news_page("en", "Status", "<h1>Status</h1><p>All systems are running normally "
                                       "and the newsroom is open as usual.</p>", [], []).encode())
        if path == "/fault/slow":
            self._stopping.wait(num("seconds", self.slow_seconds, 30))
            self._record(h, host_key, 200, t, wall)
            self._send(h, page, head)
        elif path == "/fault/reset":
            self._record(h, host_key, 0, t, wall)  # 0 = no response
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()  # linger 0 → the kernel sends RST instead of FIN
            h.close_connection = True
        elif path.startswith("/fault/flaky/") or path.startswith("/fault/rate-limit/"):
            fails = int(num("fails", 1, 100))
            if self._count(f"{host_key}{h.path}") <= fails:
                if path.startswith("/fault/flaky/"):
                    res = Resource(500, b"<h1>Internal Server Error</h1>")
                else:
                    res = Resource(429, b"<h1>Too Many Requests</h1>", (("Content-Type", HTML_UTF8),
                                                                        ("Retry-After", "1")))
            else:
                res = page
            self._record(h, host_key, res.status, t, wall)
            self._send(h, res, head)
        elif path.startswith("/trap/") and path[6:].isdigit():
            n = int(path[6:])
            main = f"<h1>Calendar page {n}</h1><p>Events for week {n}.</p>"
            links = [(f"/trap/{n + 1}", "Next week"), (f"/trap/{n + 2}", "In two weeks")]
            self._record(h, host_key, 200, t, wall)
            self._send(h, Resource(200, news_page("en", f"Calendar {n}", main, links, []).encode()), head)
        elif path in ("/fault/oversize", "/fault/oversize-stream"):
            self._record(h, host_key, 200, t, wall)
            self._stream_oversize(h, with_length=path == "/fault/oversize", head=head)
        elif path == "/fault/gzip-bomb":
            with self._lock:
                if self._bomb is None:
                    self._bomb = gzip_bomb(self.bomb_mib)
            self._record(h, host_key, 200, t, wall)
            self._send(h, Resource(200, self._bomb, (("Content-Type", HTML_UTF8), ("Content-Encoding", "gzip"))),
                       head)
        else:
            res = _not_found(path)
            self._record(h, host_key, res.status, t, wall)
            self._send(h, res, head)

    def _stream_oversize(self, h: _Handler, with_length: bool, head: bool) -> None:
        """Stream `oversize_bytes` of valid-looking HTML; without Content-Length the body ends at close."""
        h.send_response(200)
        h.send_header("Content-Type", HTML_UTF8)
        if with_length:
            h.send_header("Content-Length", str(self.oversize_bytes))
        h.end_headers()
        if head:
            return
        chunk = (b"<p>" + b"filler text " * 5450 + b"</p>\n")[: 1 << 16]
        left = self.oversize_bytes
        while left > 0 and not self._stopping.is_set():
            h.wfile.write(chunk[:left])
            left -= len(chunk)


def _not_found(path: str) -> Resource:
    return Resource(404, f"<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>404</h1>"
                         f"<p>The page {esc(path)} does not exist.</p></body></html>".encode())


def main(argv: list[str] | None = None) -> None:
    parser = ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", required=True, help="serve until SIGINT/SIGTERM")
    parser.add_argument("--port-base", type=int, default=None, help="ports N, N+1, N+2 (default: free ports)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crawl-delay", type=float, default=0.2, help="Crawl-delay of the forum host, seconds")
    parser.add_argument("--manifest-out", type=Path, help="write the manifest JSON here")
    parser.add_argument("--seeds-out", type=Path, help="write the hosts' base URLs here, one per line (crawl seeds)")
    args = parser.parse_args(argv)
    if args.port_base is not None and not 1 <= args.port_base <= 65533:
        parser.error("--port-base must be in 1..65533")
    site = DemoSite(seed=args.seed, port_base=args.port_base, crawl_delay=args.crawl_delay)
    try:
        site.start()
    except OSError as e:
        print(e, file=sys.stderr)
        sys.exit(2)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    if args.manifest_out:
        with atomic_write(args.manifest_out) as handle:
            json.dump(site.manifest, handle, ensure_ascii=False, indent=1)
    if args.seeds_out:
        with atomic_write(args.seeds_out) as handle:
            handle.writelines(f"{site.bases[key]}/\n" for key in HOSTS)
    for key in HOSTS:
        print(f"{key} {site.bases[key]}/", flush=True)
    while not done.wait(0.5):
        pass
    site.stop()
    print("demo site stopped", file=sys.stderr)

