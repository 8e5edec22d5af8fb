"""Dedup on real multilingual documentation: translations must survive, real near-copies must not.

Data (built from installed Debian packages, deterministic for a seed; `--save` writes it to
bench/dedup_realsite.jsonl.gz so a run without the packages uses the same set):

- documents: every section of the Debian Reference (`/usr/share/debian-reference/*.{en,de,fr,es,it,ja,
  zh-cn,pt}.html`) with at least 300 characters of its own text, and the 189 SQL command reference pages
  of PostgreSQL 15 (`/usr/share/doc/postgresql-doc-15/html/sql-*.html`), which share one template;
- positives: for a sample of sections, a copy as the same page would be found elsewhere: at a second URL
  (identical text), mirrored with different navigation around it, lightly edited (3% of tokens replaced
  and one line dropped), or both;
- negatives: every pair of language editions of one section (translations, often sharing untranslated
  commands and paragraphs), neighbouring sections of one edition, and every pair of SQL reference pages.
  A pair of editions is a `translation` when fastText finds each mostly in its edition's language;
  when one is mostly in another language (a section left untranslated but for its title or a phrase)
  the pair is `untranslated`: reported apart, counted neither way.

Every record carries `lang` from the filter's fastText model, as the pipeline would. The stage runs once
(signatures + candidates), then its cluster phase at each threshold; a labelled pair counts as found when
both documents end in one cluster (the kept document of a dropped one is its cluster). Also reported:
near-duplicate drops whose two documents come from different language editions.

    .venv/bin/python bench/bench_dedup_realsite.py [--thresholds 0.5,0.6,0.7] [--no-lang] [--save]
    .venv/bin/python bench/bench_dedup_realsite.py --demo-seeds 0,1 --shingle-sizes 3,5   # the demo corpus
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import tempfile
import time
from pathlib import Path

import lxml.html
from bench_dedup import DEFAULT_VERIFY, verify_flags

from lion1b.contract import open_records
from lion1b.dedup.stage import main as dedupe

DEBREF = Path("/usr/share/debian-reference")
PGSQL = Path("/usr/share/doc/postgresql-doc-15/html")
EDITIONS = ["en", "de", "fr", "es", "it", "ja", "zh-cn", "pt"]
SAVED = Path(__file__).with_name("dedup_realsite.jsonl.gz")
MIN_CHARS = 300


def block_text(element: lxml.html.HtmlElement) -> str:
    """Text of an element without its nested sections, one line per block (as an extractor would)."""
    element = lxml.html.fromstring(lxml.html.tostring(element))
    for nested in element.xpath('.//div[@class="section"]'):
        nested.drop_tree()
    lines = []
    for block in element.xpath(".//p|.//li|.//pre|.//td|.//th|.//h2|.//h3|.//h4|.//dt"):
        text = block.text_content() if block.tag == "pre" else " ".join(block.text_content().split())
        if text.strip() and not block.xpath("ancestor::p|ancestor::li[not(self::li)]"):
            lines.append(text.strip())
    return "\n".join(dict.fromkeys(lines))


def debian_sections() -> list[dict[str, str]]:
    docs = []
    for path in sorted(DEBREF.glob("ch*.en.html")):
        chapter = path.name.split(".")[0]
        for edition in EDITIONS:
            tree = lxml.html.parse(str(DEBREF / f"{chapter}.{edition}.html"))
            for section in tree.xpath('//div[@class="section"]'):
                anchor = section.xpath('./div[@class="titlepage"]//a[@id]/@id')
                text = block_text(section)
                if anchor and len(text) >= MIN_CHARS:
                    url = f"https://www.debian.org/doc/manuals/debian-reference/{chapter}.{edition}.html#{anchor[0]}"
                    docs.append({"id": f"{edition}/{chapter}#{anchor[0]}", "url": url, "text": text,
                                 "edition": edition, "section": f"{chapter}#{anchor[0]}"})
    return docs


def postgres_pages() -> list[dict[str, str]]:
    docs = []
    for path in sorted(PGSQL.glob("sql-*.html")):
        entry = lxml.html.parse(str(path)).xpath('//div[@class="refentry"]')
        if entry:
            docs.append({"id": f"pg/{path.stem}", "url": f"https://www.postgresql.org/docs/15/{path.name}",
                         "text": block_text(entry[0]), "edition": "en", "section": f"pg/{path.stem}"})
    return docs


def navigation(docs: list[dict[str, str]], edition: str, rng: random.Random) -> tuple[str, str]:
    """A mirror's header and footer: section titles of the same edition, as a site menu would list them."""
    titles = [d["text"].split("\n", 1)[0][:80] for d in docs if d["edition"] == edition]
    menu = rng.sample(titles, min(12, len(titles)))
    return "\n".join(["Home | Manuals | Search", *menu[:6]]), "\n".join([*menu[6:], "Prev | Up | Next"])


def light_edit(text: str, rng: random.Random) -> str:
    """3% of tokens replaced by other tokens of the text (characters where there are no spaces), and
    one line dropped: a copy someone re-edited."""
    lines = text.split("\n")
    if len(lines) > 3:
        del lines[rng.randrange(len(lines))]
    tokens = re.findall(r"\w+|\W+", "\n".join(lines))
    words = [i for i, t in enumerate(tokens) if t[0].isalnum()]
    for i in rng.sample(words, max(1, len(words) * 3 // 100)):
        tokens[i] = tokens[rng.choice(words)]
    return "".join(tokens)


def build(seed: int = 1, positives: int = 400) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Records and labelled pairs (id, id, label) with label in {dup, translation, neighbour, template}."""
    from lion1b.filter.langid import make_lang_id

    rng = random.Random(seed)
    docs = debian_sections() + postgres_pages()
    pairs: list[tuple[str, str, str]] = []
    by_section: dict[str, list[dict]] = {}
    for d in docs:
        by_section.setdefault(d["section"], []).append(d)
    for group in by_section.values():
        pairs += [(a["id"], b["id"], "edition") for a, b in itertools.combinations(group, 2)]
    for edition in EDITIONS:
        mine = [d for d in docs if d["edition"] == edition and not d["id"].startswith("pg/")]
        pairs += [(a["id"], b["id"], "neighbour") for a, b in itertools.pairwise(mine)]
    pg = [d for d in docs if d["id"].startswith("pg/")]
    pairs += [(a["id"], b["id"], "template") for a, b in itertools.combinations(pg, 2)]
    copies = []
    for original in rng.sample(docs, positives):
        kind = rng.choice(["second_url", "mirror", "edit", "mirror+edit"])
        text = original["text"]
        if "edit" in kind:
            text = light_edit(text, rng)
        if "mirror" in kind:
            header, footer = navigation(docs, original["edition"], rng)
            text = f"{header}\n{text}\n{footer}"
        url = original["url"].replace("https://www.debian.org/doc/manuals/", "http://mirror.example.org/debian/")
        url = url.replace("https://www.postgresql.org/docs/15/", "http://mirror.example.org/pg/")
        title = original["text"].split("\n", 1)[0]  # the section's heading, as the extractor's title
        if "mirror" in kind:
            title += " | Mirror of the " + ("PostgreSQL manual" if original["id"].startswith("pg/")
                                             else "Debian Reference")
        copies.append({**original, "id": f"copy{len(copies)}/{original['id']}", "url": url, "text": text,
                       "title": title})
        pairs.append((original["id"], copies[-1]["id"], f"dup:{kind}"))
    lang_id = make_lang_id("fasttext")
    records = []
    for d in docs + copies:
        lang, score = lang_id.predict(d["text"])
        records.append({"id": d["id"], "url": d["url"], "text": d["text"], "lang": lang,
                        "lang_score": round(score, 4), "edition": d["edition"],
                        "title": d.get("title", d["text"].split("\n", 1)[0])})
    own = {r["id"]: r["lang"] == r["edition"].split("-")[0] for r in records}
    pairs = [(a, b, ("translation" if own[a] and own[b] else "untranslated") if kind == "edition" else kind)
             for a, b, kind in pairs]
    return records, pairs


def load_or_build(seed: int, save: bool) -> tuple[list[dict], list[tuple[str, str, str]]]:
    if DEBREF.exists() and PGSQL.exists():
        records, pairs = build(seed)
        if save:
            with gzip.open(SAVED, "wt", encoding="utf-8") as handle:
                for r in records:
                    handle.write(json.dumps(r, ensure_ascii=False) + "\n")
                handle.writelines(json.dumps({"pair": list(p)}) + "\n" for p in pairs)
        return records, pairs
    if not SAVED.exists():
        raise SystemExit(f"neither {DEBREF} (debian-reference-*) nor {SAVED} found")
    records, pairs = [], []
    with gzip.open(SAVED, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if "pair" in row:
                pairs.append(tuple(row["pair"]))
            else:
                records.append(row)
    return records, pairs


def clusters_from_map(ids: list[str], dup_map: Path) -> dict[str, str]:
    label = {i: i for i in ids}
    for row in open_records(dup_map):
        label[row["id"]] = row["kept_id"]
    return label


def evaluate(label: dict[str, str], pairs: list[tuple[str, str, str]]) -> dict[str, float]:
    found = {"tp": 0, "fp": 0, "fn": 0}
    by_label: dict[str, list[int]] = {}
    for a, b, kind in pairs:
        same = label[a] == label[b]
        by_label.setdefault(kind, [0, 0])[0] += same
        by_label[kind][1] += 1
        if kind.startswith("dup"):
            found["tp" if same else "fn"] += 1
        elif same and kind != "untranslated":
            found["fp"] += 1
    predicted = found["tp"] + found["fp"]
    result = {"precision": found["tp"] / predicted if predicted else 1.0,
              "recall": found["tp"] / (found["tp"] + found["fn"]), "fp": found["fp"]}
    result.update({kind: same / total for kind, (same, total) in sorted(by_label.items())})
    return result


def cross_language_drops(records: list[dict], dup_map: Path) -> tuple[int, int]:
    """Near-duplicate drops whose documents come from two language editions: all of them, and those
    where the dropped page is mostly in its own edition's language (a translation lost)."""
    by_id = {r["id"]: r for r in records}
    drops = [(by_id[row["id"]], by_id[row["kept_id"]]) for row in open_records(dup_map)
             if row["kind"] == "near_duplicate"]
    across = [(a, k) for a, k in drops if a["edition"] != k["edition"]]
    return len(across), sum(a["lang"] == a["edition"].split("-")[0] for a, k in across)


def demo_corpus(seeds: list[int], shingle_sizes: list[str], thresholds: list[str], rules: list[str],
                titles: bool = True) -> None:
    """Wrong drops on the project's demo corpus (lion1b/demo: articles written from shared phrase lists,
    with 31 planted exact and near copies per seed): formulaic text, where short shingles over-merge."""
    from lion1b.demo.site import build_site

    print("| demo seed | shingle | J >= | verify | drops | wrong drops (distinct articles) | planted copies found |")
    print("|---|---|---|---|---|---|---|")
    for seed in seeds:
        manifest = build_site(seed=seed).manifest
        planted = {d["url"]: d["of"] for d in manifest["exact_duplicates"] + manifest["near_duplicates"]}

        def root(url: str, planted: dict[str, str] = planted) -> str:
            while url in planted:
                url = planted[url]
            return url

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "in.jsonl"
            path.write_text("".join(json.dumps({"id": a["url"], "url": a["url"], "text": a["text"], "lang": a["lang"],
                                                **({"title": a["title"]} if titles else {})},
                                               ensure_ascii=False) + "\n" for a in manifest["articles"]))
            for size in shingle_sizes:
                for threshold, rule in itertools.product(thresholds, rules):
                    dup_map = Path(tmp) / "map.jsonl"
                    dedupe(["--input", str(path), "--work-dir", f"{tmp}/w{size}", "--output", f"{tmp}/out.jsonl",
                            "--quiet", "--shingle-size", size, "--threshold", threshold, "--dup-map", str(dup_map),
                            *verify_flags(rule)])
                    drops = list(open_records(dup_map))
                    wrong = sum(root(d["id"]) != root(d["kept_id"]) for d in drops)
                    dropped = {d["id"] for d in drops}
                    found = sum(u in dropped or root(u) in dropped for u in planted)
                    print(f"| {seed} | {size} | {threshold} | {rule} | {len(drops)} | {wrong} | "
                          f"{found}/{len(planted)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thresholds", default="0.1,0.15,0.2,0.35")
    parser.add_argument("--verify", default=DEFAULT_VERIFY,
                        help="verification rules to sweep: off, or J/S (3-token Jaccard / sequence ratio)")
    parser.add_argument("--shingle-sizes", default="5")
    parser.add_argument("--no-lang", action="store_true", help="drop `lang` from records: script guess only")
    parser.add_argument("--num-perm", default="128")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-titles", action="store_true",
                        help="drop `title` from records (the title rule of lion1b/dedup/verify.py then never applies)")
    parser.add_argument("--save", action="store_true", help=f"write the built set to {SAVED.name}")
    parser.add_argument("--demo-seeds", default="", help="instead: wrong drops on the demo corpus of these seeds")
    args = parser.parse_args()
    if args.demo_seeds:
        demo_corpus([int(x) for x in args.demo_seeds.split(",")], args.shingle_sizes.split(","),
                    args.thresholds.split(","), args.verify.split(","), not args.no_titles)
        return
    records, pairs = load_or_build(args.seed, args.save)
    n_dup = sum(p[2].startswith("dup") for p in pairs)
    print(f"{len(records)} documents, {len(pairs)} labelled pairs ({n_dup} duplicates), lang field "
          f"{'removed (script guess)' if args.no_lang else 'from fastText'}")
    print("| shingle | J >= | verify | P | R | false pairs | near drops across editions (translated) | "
          + " | ".join(sorted({p[2] for p in pairs})) + " |")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.jsonl"
        with path.open("w") as handle:
            for r in records:
                hidden = ("edition", "lang", "lang_score") if args.no_lang else ("edition",)
                hidden += ("title",) if args.no_titles else ()
                row = {k: v for k, v in r.items() if k not in hidden}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        ids = [r["id"] for r in records]
        for size in args.shingle_sizes.split(","):
            work = Path(tmp) / f"work{size}"
            common = ["--input", str(path), "--work-dir", str(work), "--shingle-size", size, "--quiet",
                      "--num-perm", args.num_perm,
                      "--output", str(Path(tmp) / "out.jsonl")]
            start = time.process_time()
            dedupe([*common, "--phase", "all", "--threshold", "0.5"])
            cpu = time.process_time() - start
            for threshold, rule in itertools.product(args.thresholds.split(","), args.verify.split(",")):
                dup_map = Path(tmp) / f"map{size}_{threshold}.jsonl"
                dedupe([*common, "--phase", "cluster", "--threshold", threshold, "--dup-map", str(dup_map),
                        *verify_flags(rule)])
                s = evaluate(clusters_from_map(ids, dup_map), pairs)
                cells = [size, threshold, rule, f"{s['precision']:.4f}", f"{s['recall']:.3f}", str(s["fp"]),
                         "{} ({})".format(*cross_language_drops(records, dup_map)),
                         *(f"{s[k]:.3f}" for k in sorted({p[2] for p in pairs}))]
                print("| " + " | ".join(cells) + " |")
            print(f"(shingle {size}: full stage {len(records) / cpu:,.0f} docs per CPU-second)")


if __name__ == "__main__":
    main()
