"""Render the collected report as one static HTML page: inline CSS, plots as embedded PNGs, no script, no
network, so it opens offline from disk or as a CI artefact. Every figure cell carries ``data-key`` so a test
(or a reader's script) can compare the page with report.json."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

KEPT, DROPPED, ACCENT = "#3b7dd8", "#e07b39", "#6a9f58"
CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1180px;padding:0 24px 48px;
color:#1d1d1f;background:#fff}
h1{font-size:24px;margin:24px 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}.sub{color:#666;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f4f5f7}td.l,th.l{text-align:left}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:22px}.card span{color:#666}
.warn{background:#fff6e0;border:1px solid #e8c35a;border-radius:8px;padding:8px 14px}
.ok{background:#eef7ec;border:1px solid #9ccf92;border-radius:8px;padding:8px 14px}
.plots{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}.plots img{max-width:100%;border:1px solid #eee}
.sample{border-left:3px solid #ccc;padding:2px 10px;margin:6px 0;font-size:13px}
.sample a{word-break:break-all}.muted{color:#777}code{font-size:12px}
nav a{margin-right:12px}
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else esc(value)


def cell(value: Any, key: str | None = None, left: bool = False) -> str:
    """A table cell; ``key`` marks a figure (its raw value in data-value) for checks against report.json."""
    attrs = ' class="l"' if left else ""
    if key:
        attrs += f' data-key="{esc(key)}" data-value="{esc("" if value is None else value)}"'
    return f"<td{attrs}>{num(value) if not left else esc(value)}</td>"


def table(headers: list[str], rows: Iterable[str], left_columns: Iterable[int] = (0,)) -> str:
    """Headers align like their column: ``left_columns`` are text, the others numbers."""
    left = set(left_columns)
    head = "".join(f'<th class="l">{esc(h)}</th>' if i in left else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    return f"<table><tr>{head}</tr>{''.join(f'<tr>{r}</tr>' for r in rows)}</table>"


def png(fig: Figure, alt: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def _figure(width: float = 5.0, height: float = 3.2) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _short(v: float) -> str:
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}M"
    return f"{v / 1e3:g}k" if abs(v) >= 1e4 else f"{v:,.0f}"


def _count_axis(axis: Any, integer: bool = True) -> None:
    """Counts read as counts: a few whole-number ticks, 60k not 60000 (and never 2.5 documents)."""
    axis.set_major_locator(MaxNLocator(nbins=5, integer=integer))
    axis.set_major_formatter(FuncFormatter(lambda v, _: _short(v) if integer or v >= 10 else f"{v:g}"))


def bar_h(labels: list[str], values: list[float], title: str, xlabel: str, color: str = KEPT,
          value_format: str = ",.0f") -> str:
    fig, ax = _figure(5.0, max(1.6, 0.32 * len(labels) + 0.9))
    y = np.arange(len(labels))
    ax.barh(y, values, color=color)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    _count_axis(ax.xaxis, integer=value_format.endswith("0f"))
    for i, v in enumerate(values):
        ax.annotate(format(v, value_format), (v, i), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=8)
    return png(fig, title)


def stacked_h(labels: list[str], kept: list[float], dropped: list[float], title: str, xlabel: str) -> str:
    height = max(1.6, 0.32 * len(labels) + 1.1)
    fig, ax = _figure(5.0, height)
    y = np.arange(len(labels))
    ax.barh(y, kept, color=KEPT, label="kept")
    ax.barh(y, dropped, left=kept, color=DROPPED, label="dropped")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    _count_axis(ax.xaxis)
    axes_height = height * (fig.subplotpars.top - fig.subplotpars.bottom)
    # under the axis label: half an inch below the axes, whatever the figure's height
    ax.legend(frameon=False, fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.5 / axes_height))
    return png(fig, title)


def histogram(dist: dict[str, Any], title: str, xlabel: str) -> str:
    """A length histogram from its summary (lion1b/report/collect.py ``distribution``)."""
    fig, ax = _figure()
    ax.stairs(dist["counts"], dist["edges"], fill=True, color=KEPT)
    if dist["log_bins"]:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _short(v)))
    ax.axvline(dist["median"], color=DROPPED, linestyle="--", label=f"median {dist['median']:,.0f}")
    ax.legend(frameon=False, fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("documents")
    _count_axis(ax.yaxis)
    return png(fig, title)


def render(report: dict[str, Any]) -> str:
    """The whole page for one report dict (see lion1b/report/collect.py)."""
    sections = [_header(report), _warnings(report), _funnel(report), _languages(report), _hosts(report),
                _lengths(report), _dedupe(report), _pii(report), _packing(report), _timing(report),
                _takedowns(report), _samples(report)]
    nav = "".join(f'<a href="#{key}">{label}</a>' for key, label in (
        ("funnel", "funnel"), ("languages", "languages"), ("hosts", "hosts"), ("lengths", "lengths"),
        ("dedupe", "duplicates"), ("pii", "PII"), ("packing", "train/test"), ("timing", "time"),
        ("takedowns", "takedowns"), ("samples", "samples")))
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>lion1b run report</title><style>{CSS}</style></head><body>"
            f"{sections[0]}<nav>{nav}</nav>{''.join(sections[1:])}</body></html>\n")


def _stage(report: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((s for s in report["stages"] if s["key"] == key), None)


def _header(report: dict[str, Any]) -> str:
    cards = []
    first = report["stages"][0] if report["stages"] else None
    if first and first["marker"]:
        label = "URLs the crawl tried" if first["key"] == "crawl" else f"documents into {first['label']}"
        cards.append((first["marker"]["in"], label, "headline.in"))
    final = _stage(report, "scrub_pii") or next((s for s in reversed(report["stages"]) if s["chars"] is not None), None)
    if final:
        cards.append((final["docs"], "documents in the final text", "headline.final_docs"))
        cards.append((final["chars"], "characters in the final text", "headline.final_chars"))
    packing = report.get("packing")
    if packing:
        for split in ("train", "test"):
            cards.append((packing["splits"][split]["tokens"], f"{split} tokens (packed)", f"headline.{split}_tokens"))
    html_cards = "".join(f'<div class="card"><b data-key="{k}" data-value="{v}">{num(v)}</b><span>{esc(t)}</span></div>'
                         for v, t, k in cards)
    return (f"<h1>lion1b run report</h1><p class=\"sub\">{esc(report['data_dir'])} · generated "
            f"{esc(report['generated_at'])} · built from the stages' completion markers, shards and .seq files"
            f"</p><div class=\"cards\">{html_cards}</div>")


def _warnings(report: dict[str, Any]) -> str:
    if not report["warnings"]:
        return '<h2 id="warnings">Warnings</h2><p class="ok" data-key="warnings" data-value="0">None: no empty ' \
               "test split, no unbalanced parts, no stage dropped more than half its input.</p>"
    items = "".join(f"<li>{esc(w)}</li>" for w in report["warnings"])
    return (f'<h2 id="warnings">Warnings</h2><div class="warn" data-key="warnings" '
            f'data-value="{len(report["warnings"])}"><ul>{items}</ul></div>')


def _funnel(report: dict[str, Any]) -> str:
    rows, labels, docs, chars_labels, chars = [], [], [], [], []
    reasons: list[tuple[str, int]] = []
    for stage in report["stages"]:
        marker, key = stage["marker"], stage["key"]
        dropped = sum(marker["dropped"].values()) if marker else None
        kept = f"{marker['out'] / marker['in']:.1%}" if marker and marker["in"] else "—"
        top = ", ".join(f"{r} {n:,}" for r, n in marker["dropped"].items()) if marker else "no completion marker"
        rows.append(cell(stage["label"], left=True) + cell(f"{stage['parts_complete']}/{stage['parts']}")
                    + cell(marker["in"] if marker else None, f"funnel.{key}.in")
                    + cell(marker["out"] if marker else None, f"funnel.{key}.out")
                    + cell(dropped, f"funnel.{key}.dropped") + f"<td>{kept}</td>"
                    + cell(stage["chars"], f"funnel.{key}.chars") + cell(stage.get("chars_dropped"))
                    + cell(top or "none", left=True)
                    + cell(round(marker["seconds"], 2) if marker else None))
        labels.append(stage["label"])
        docs.append(marker["out"] if marker else stage["docs"] or 0)
        if stage["chars"] is not None:
            chars_labels.append(stage["label"])
            chars.append(stage["chars"])
        if marker:
            reasons += [(f"{stage['label']}: {r}", n) for r, n in marker["dropped"].items()]
    if not rows:
        return '<h2 id="funnel">Funnel</h2><p>No stage output found.</p>'
    plots = [bar_h(labels, docs, "Documents out of each stage", "documents")]
    if chars:
        plots.append(bar_h(chars_labels, chars, "Characters of text after each stage", "characters", ACCENT))
    reasons.sort(key=lambda x: -x[1])
    if reasons:
        plots.append(bar_h([r for r, _ in reasons[:15]], [n for _, n in reasons[:15]],
                           "Drops by stage and reason (top 15)", "documents", DROPPED))
    note = ("<p class=\"muted\">For the crawl, documents in are the URLs it tried and out the pages it saved. "
            "Documents in/out and drops are the stages' own summaries (sums of the parts' "
            "completion markers); characters are counted in the shards, so text trimmed inside kept documents "
            "(e.g. C4 line removal) shows as fewer characters without a dropped document. Characters dropped "
            "need rejected records (data/rejected/) or, for dedupe, its duplicate map.</p>")
    changed = report.get("changed_since_run") or []
    if changed:
        removed = sum(t.get("documents_removed", 0) for t in report["takedowns"])
        what = "; ".join(f"{c['stage']}: {c['shard_docs']:,} now, {c['marker_out']:,} reported"
                         for c in changed)
        note += (f'<p class="warn" data-key="changed_since_run" data-value="{len(changed)}">The shards changed '
                 f"after the stages ran ({esc(what)})"
                 + (f": {len(report['takedowns'])} takedown(s) removed {removed:,} document(s) from the final "
                    'text, see <a href="#takedowns">Takedowns</a>. The table shows what the stages reported; '
                    "characters and the sections below show the data as it is now.</p>" if report["takedowns"]
                    else ".</p>"))
    return ('<h2 id="funnel">Funnel: documents and characters through the stages</h2>'
            + table(["stage", "parts done", "docs in", "docs out", "dropped", "kept", "chars out",
                     "chars dropped", "drops by reason", "seconds (sum)"], rows, left_columns=(0, 8))
            + note + f'<div class="plots">{"".join(plots)}</div>')


def _languages(report: dict[str, Any]) -> str:
    rows = report["languages"]
    if not rows:
        return '<h2 id="languages">Languages</h2><p class="muted">No language field in the shards (the filter ' \
               "stage has not run).</p>"
    body = [cell(r["lang"], left=True) + cell(r["kept"], f"lang.{r['lang']}.kept") + cell(r["kept_chars"])
            + cell(r["dropped_filter"], f"lang.{r['lang']}.dropped_filter")
            + cell(r["dropped_duplicate"], f"lang.{r['lang']}.dropped_duplicate") for r in rows]
    shown = rows[:20]
    plot = stacked_h([r["lang"] for r in shown], [r["kept"] for r in shown],
                     [r["dropped_filter"] + r["dropped_duplicate"] for r in shown],
                     "Documents per language", "documents")
    return ('<h2 id="languages">Kept and dropped per language</h2>'
            + table(["language", "kept docs", "kept chars", "dropped by filter", "dropped as duplicate"], body)
            + '<p class="muted">Filter drops are attributed by their <code>lang:xx</code> reason, or by language '
              "ID of the rejected record when rejected records were written; pages the extractor dropped have no "
              f"language.</p><div class=\"plots\">{plot}</div>")


def _hosts(report: dict[str, Any]) -> str:
    hosts = report["hosts"]
    if not hosts["rows"]:
        return '<h2 id="hosts">Hosts</h2><p class="muted">No shards found.</p>'
    order = hosts["stages"]
    labels = {s["key"]: s["label"] for s in report["stages"]}
    rows = [*hosts["rows"], *([hosts["others"]] if hosts["others"] else [])]
    body = [cell(r["host"], left=True) + "".join(cell(r["docs"][k], f"host.{r['host']}.{k}") for k in order)
            + cell(r["kept_chars"]) for r in rows]
    first, last = order[0], order[-1]
    plot = stacked_h([r["host"] for r in rows], [r["docs"][last] for r in rows],
                     [max(r["docs"][first] - r["docs"][last], 0) for r in rows],
                     f"Documents per host: kept after {labels[last]} vs dropped since {labels[first]}", "documents")
    n = hosts["n_hosts"]
    return (f'<h2 id="hosts">Kept and dropped per host ({n:,} host{"" if n == 1 else "s"})</h2>'
            + table(["host", *[f"after {labels[k]}" for k in order], "kept chars"], body)
            + f'<p class="muted">Documents of each host left after each stage; the drop between two columns is '
              f'what that stage removed there.</p><div class="plots">{plot}</div>')


def _lengths(report: dict[str, Any]) -> str:
    plots = []
    if report["text_lengths"]:
        plots.append(histogram(report["text_lengths"], "Text length of the final documents", "characters"))
    packing = report.get("packing")
    if packing and packing["doc_token_lengths"]:
        plots.append(histogram(packing["doc_token_lengths"], "Tokens per document (packed, BOS/EOS included)",
                               "tokens"))
    if not plots:
        return '<h2 id="lengths">Lengths</h2><p class="muted">No final text or .seq files yet.</p>'
    return f'<h2 id="lengths">Document lengths</h2><div class="plots">{"".join(plots)}</div>'


def _dedupe(report: dict[str, Any]) -> str:
    d = report["dedupe"]
    if not d["duplicates"] and not d["summary"]:
        return '<h2 id="dedupe">Near-duplicate clusters</h2><p class="muted">No dedupe output (data/dedupe/).</p>'
    body = [cell(kind, left=True) + cell(n, f"dedupe.{kind}") for kind, n in d["by_kind"].items()]
    body.append(cell("clusters (kept document + its duplicates)", left=True) + cell(d["clusters"], "dedupe.clusters"))
    plots = ""
    if d["cluster_sizes"]:
        sizes = list(d["cluster_sizes"].items())
        plots = bar_h([f"{k} documents" for k, _ in sizes], [v for _, v in sizes],
                      "Duplicate clusters by size", "clusters", ACCENT)
    return ('<h2 id="dedupe">Near-duplicate clusters</h2>' + table(["duplicates removed", "documents"], body)
            + f'<div class="plots">{plots}</div>')


def _pii(report: dict[str, Any]) -> str:
    pii = report["pii"]
    if not pii["by_type"]:
        return ('<h2 id="pii">PII found</h2><p class="muted" data-key="pii.docs_with_pii" data-value="0">'
                "None found in the final text (or the scrub stage has not run).</p>")
    body = [cell(t, left=True) + cell(n, f"pii.{t}") for t, n in pii["by_type"].items()]
    body.append(cell("documents with any PII", left=True) + cell(pii["docs_with_pii"], "pii.docs_with_pii"))
    plot = bar_h(list(pii["by_type"]), list(pii["by_type"].values()), "PII replaced, by type", "spans", DROPPED)
    return ('<h2 id="pii">PII found and replaced</h2>' + table(["type", "spans replaced"], body)
            + f'<div class="plots">{plot}</div>')


def _packing(report: dict[str, Any]) -> str:
    packing = report.get("packing")
    if not packing:
        return '<h2 id="packing">Train/test</h2><p class="muted">No .seq files yet.</p>'
    rows = []
    for name, s in packing["splits"].items():
        waste = f"{s['waste_fraction']:.2%}" if s["waste_fraction"] is not None else "—"
        rows.append(cell(name, left=True) + cell(len(s["files"]), f"split.{name}.files")
                    + cell(s["docs"], f"split.{name}.docs") + cell(s["sequences"], f"split.{name}.sequences")
                    + cell(s["tokens"], f"split.{name}.tokens") + cell(s["tokens_encoded"])
                    + cell(s["tail_tokens_dropped"], f"split.{name}.tail_tokens_dropped")
                    + cell(s["tail_docs_dropped"]) + f"<td>{waste}</td>")
    files = []
    for name, s in packing["splits"].items():
        for f in s["files"]:
            files.append(cell(f"{name} part {f['part']}", left=True)
                         + (cell(f["error"], left=True) if "error" in f else
                            cell(f["sequences"], f"seqfile.{name}.{f['part']}.sequences") + cell(f["tokens"])
                            + cell(f["documents"])))
    seq_len = ", ".join(map(str, packing["seq_len"])) or "—"
    return (f'<h2 id="packing">Train/test split (seq_len {esc(seq_len)})</h2>'
            + table(["split", "files", "documents", "sequences", "tokens in sequences", "tokens encoded",
                     "tail tokens dropped", "tail docs lost", "waste"], rows)
            + '<p class="muted">Packing concatenates documents into full rows, so there is no padding '
              "(0 padding tokens); the only waste is each file's tail shorter than seq_len, which is dropped.</p>"
            + "<h3>Per file</h3>" + table(["file", "sequences", "tokens", "documents"], files))


def _timing(report: dict[str, Any]) -> str:
    rows = report["timing"]
    if not rows:
        return '<h2 id="timing">Time</h2><p class="muted">No completion markers with timings.</p>'
    has_cpu = any(r.get("cpu_seconds") is not None for r in rows)
    body = [cell(r["stage"], left=True) + cell("all" if r["part"] is None else r["part"])
            + cell(r["seconds"], f"time.{r['stage']}.{r['part']}") + (cell(r.get("cpu_seconds")) if has_cpu else "")
            for r in rows]
    labels = [r["stage"] if r["part"] is None else f"{r['stage']} #{r['part']}" for r in rows]
    plot = bar_h(labels, [r["seconds"] or 0 for r in rows], "Wall time per stage and part", "seconds", ACCENT,
                 value_format=".2f")
    note = "" if has_cpu else '<p class="muted">The markers record wall time only (no CPU time).</p>'
    return ('<h2 id="timing">Time per stage and part</h2>'
            + table(["stage", "part", "seconds", *(["CPU seconds"] if has_cpu else [])], body)
            + note + f'<div class="plots">{plot}</div>')


def _takedowns(report: dict[str, Any]) -> str:
    if not report["takedowns"]:
        return ('<h2 id="takedowns">Takedowns</h2><p class="muted" data-key="takedowns" data-value="0">None '
                "recorded (data/takedowns.jsonl; see scripts/takedown.py).</p>")
    body = []
    for t in report["takedowns"]:
        what = ", ".join([*t.get("urls_requested", []), *t.get("hosts_requested", [])])
        body.append(cell(t.get("time", ""), left=True) + cell(what, left=True) + cell(t.get("reason", ""), left=True)
                    + cell(t.get("documents_removed")) + cell(", ".join(map(str, t.get("parts_rebuilt", []))),
                                                              left=True)
                    + cell("yes" if t.get("verified") else "no", left=True))
    return (f'<h2 id="takedowns">Takedowns</h2><div data-key="takedowns" data-value="{len(report["takedowns"])}">'
            + table(["when", "URLs / hosts", "reason", "documents removed", "parts rebuilt",
                     "verified: no sequence holds them"], body, left_columns=(0, 1, 2, 4, 5)) + "</div>")


def _sample_html(url: str, text: str, extra: str = "") -> str:
    return f'<div class="sample"><a href="{esc(url)}">{esc(url)}</a>{extra}<br>{esc(text)}</div>'


def _samples(report: dict[str, Any]) -> str:
    samples = report["samples"]
    out = ['<h2 id="samples">Samples</h2><p class="muted">Excerpts are PII-scrubbed (rejected records were '
           "never scrubbed by the pipeline, so the report scrubs their excerpts itself).</p>"]
    if samples["kept"]:
        out.append("<h3>Kept documents</h3>")
        out += [_sample_html(s["url"], s["text"], f' <span class="muted">· {esc(s["lang"])} · {s["chars"]:,} chars'
                                                  "</span>") for s in samples["kept"]]
    labels = {s["key"]: s["label"] for s in report["stages"]}
    for stage, reasons in samples["rejected"].items():
        counts = report["rejected"].get(stage, {}).get("by_reason", {})
        for reason, items in sorted(reasons.items(), key=lambda item: -counts.get(item[0], 0)):
            out.append(f"<h3>Rejected by {esc(labels.get(stage, stage))}: {esc(reason)}</h3>")
            out += [_sample_html(s["url"], s["text"]) for s in items]
    for kind, items in samples["duplicates"].items():
        out.append(f"<h3>Removed by dedupe: {esc(kind)}</h3>")
        out += [_sample_html(s["url"], "", f' <span class="muted">duplicate of</span> <a href="{esc(s["kept_url"])}">'
                                           f"{esc(s['kept_url'])}</a>") for s in items]
    if not samples["rejected"]:
        out.append('<p class="muted">No rejected records: run the record stages with --rejected-output '
                   "(data/rejected/&lt;stage&gt;_thread{T}.txt) to see samples per reason.</p>")
    return "".join(out)
