"""Dedupe stage — the one stage with a global step: a duplicate can sit in any other part.

Four phases, so every heavy step runs in parallel and the result depends neither on ``--num-parts`` nor
on ``--num-shards``:

1. ``signatures`` (per part): per record its id, SHA-256 of the normalized text, language key, the
   keeper-rule features, a MinHash signature and its passage keys (lion1b/dedup/compilation.py) ->
   ``<work-dir>/sig_part{T}.npz`` + ``.minhash``.
2. ``candidates`` (per shard S of K): LSH band keys (near), text hashes (exact) and id hashes of every
   part, keeping only the keys that hash to shard S, paired within buckets, and the characters of each
   document's passages that smaller documents hold -> ``<work-dir>/cand_shard{S}of{K}.npz``. Memory: the
   shard's 1/K of the keys.
3. ``cluster`` (once): runs any shard not yet done (in this process, or ``--threads`` at a time), then
   verifies the candidate pairs (MinHash gate, then the two texts, read again: lion1b/dedup/verify.py)
   and applies the keeper rule (lion1b/dedup/cluster.py) to the documents they name; drops compilations ->
   ``<work-dir>/drop_part{T}.npz``, ``<work-dir>/clusters.json`` and ``--dup-map``. Memory grows with the
   candidate pairs and the texts of the gated ones, not with the corpus.
4. ``write`` (per part): streams the part again and writes the records that are kept.

``--phase all`` runs the four in this process over every part (single-machine use, tests).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import multiprocessing
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from lion1b.config import FILES
from lion1b.contract import (
    Stage,
    StageMarker,
    StageStats,
    atomic_write,
    die,
    execute,
    in_order,
    iter_part_records,
    parse_stage_args,
    progress,
    record_line,
    write_record,
)
from lion1b.dedup.cluster import COMPILATION, KEEP, KINDS, bucket_pairs, rank_order, resolve, shard_of
from lion1b.dedup.compilation import compilations, covered_chars, passages
from lion1b.dedup.minhash import EMPTY, MinHasher, band_keys, exact_digest, mix64
from lion1b.dedup.repeated import line_forms, owned_elsewhere, strip_repeated
from lion1b.dedup.script import dominant_scripts, script_counts
from lion1b.dedup.template import edge_lines, floor, site, strip_template
from lion1b.dedup.verify import MAX_CHARS, MIN_TRANSLATED, Verifier

NAME = "dedupe"
REQUIRED = {"id": str, "text": str}
BATCH = 2048  # records per MinHash batch: big enough to amortize numpy calls, small in memory
CHUNK = 16384  # signature rows per step of the candidates phase (8 MB at 128 permutations)
SIGNATURE_OPTIONS = ["input", "part_id", "num_parts", "split", "casefold", "near_dup", "num_perm",
                     "shingle_size", "seed", "templates", "template_edge_lines", "compilations", "repeated_blocks"]
CANDIDATE_OPTIONS = ["input", "num_parts", "near_dup", "rows", "num_shards", "shard_id", "work_dir",
                     "template_share", "template_min_docs", "compilations", "repeated_blocks"]
CANDIDATES_FORMAT = 2  # what a shard's file holds; 2: the compilations' band and inside counts
SALT_EXACT, SALT_ID = np.uint64(0x51), np.uint64(0x1D)

UNKNOWN_LANGS = {"", "unknown", "und"}
# Language tags recognised in URLs (ISO 639-1 codes of the languages with most web text, and region forms).
URL_LANGS = {
    "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi", "hr", "hu",
    "id", "it", "ja", "ko", "lt", "lv", "ms", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sr", "sv", "th",
    "tr", "uk", "ur", "vi", "zh", "pt-br", "zh-cn", "zh-tw", "zh-hans", "zh-hant", "en-us", "en-gb", "es-es",
    "fr-fr", "de-de",
}


# Any region form of a listed language: /ru-RU/, /ja-JP/, /pt-BR/ (the Debian handbook's edition folders).
REGION_TAG = re.compile(r"[a-z]{2}-[a-z]{2}")


def band_salt(band: int) -> np.uint64:
    """A distinct constant per band, so equal keys of two bands never share a bucket."""
    return np.uint64((0x9E3779B97F4A7C15 * (band + 1)) % 2**64)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("dedupe")
    group.add_argument("--phase", choices=["signatures", "candidates", "cluster", "write", "all"], default="all",
                       help="signatures and write run per part, candidates per shard, cluster once (running "
                            "missing shards itself); all = everything over every part in this process")
    group.add_argument("--shard-id", type=int, default=0, help="candidates phase: which shard (0-based)")
    group.add_argument("--num-shards", type=int, default=4,
                       help="LSH key shards; a shard's process holds 1/N of the keys (same result for any N)")
    group.add_argument("--work-dir", default=FILES["dedupe_work_dir"], help="signatures, candidates, drop lists")
    group.add_argument("--dup-map", help="cluster phase: one {id, kept_id, kind, similarity} line per dropped doc")
    group.add_argument("--casefold", action=argparse.BooleanOptionalAction, default=True,
                       help="exact hash ignores case (NFKC and whitespace are always normalized)")
    group.add_argument("--near-dup", action=argparse.BooleanOptionalAction, default=True,
                       help="also drop near duplicates (MinHash LSH, docs/dedupe.md)")
    group.add_argument("--num-perm", type=int, default=128, help="MinHash signature length")
    group.add_argument("--shingle-size", type=int, default=5,
                       help="tokens per shingle (words; characters in scripts without spaces)")
    group.add_argument("--rows", type=int, default=2,
                       help="LSH rows per band (bands = num_perm // rows; 2 rows x 64 bands find 88%% of pairs at "
                            "Jaccard 0.18 directly, 99.8%% at 0.3)")
    group.add_argument("--threshold", type=float, default=0.15,
                       help="minimum estimated Jaccard with the kept document for a near-duplicate candidate (with "
                            "--verify) or drop (--no-verify; 0.35 there) (curves in docs/dedupe.md)")
    group.add_argument("--verify", action=argparse.BooleanOptionalAction, default=True,
                       help="decide each candidate on the two texts (lion1b/dedup/verify.py): the cluster phase "
                            "reads the texts of the candidates again")
    group.add_argument("--verify-jaccard", type=float, default=0.5,
                       help="--verify: exact 3-token shingle Jaccard that makes a pair similar")
    group.add_argument("--verify-sequence", type=float, default=0.8,
                       help="--verify: token-sequence match ratio that makes a pair similar")
    group.add_argument("--seed", type=int, default=1, help="seed of the MinHash permutations")
    group.add_argument("--templates", action=argparse.BooleanOptionalAction, default=True,
                       help="remove site template lines: lines that open or close at least --template-share of a "
                            "site's documents in one language (lion1b/dedup/template.py, docs/dedupe.md)")
    group.add_argument("--template-share", type=float, default=0.2,
                       help="share of a site's documents (per language) a template line opens or closes")
    group.add_argument("--template-min-docs", type=int, default=5,
                       help="... and at least this many documents")
    group.add_argument("--template-edge-lines", type=int, default=5,
                       help="how many non-blank lines at each end of a document a template line may sit in")
    group.add_argument("--compilations", action=argparse.BooleanOptionalAction, default=True,
                       help="drop compilations: a manual's one-page edition beside its sections, a document "
                            "whose passages smaller documents hold (lion1b/dedup/compilation.py, docs/dedupe.md)")
    group.add_argument("--compilation-share", type=float, default=0.9,
                       help="share of a document's passage characters that smaller documents hold to make it "
                            "a compilation")
    group.add_argument("--repeated-blocks", action=argparse.BooleanOptionalAction, default=False,
                       help="remove repeated blocks: runs of lines that other kept documents hold too, each kept "
                            "once, in the shortest document that holds it (lion1b/dedup/repeated.py, docs/dedupe.md)")
    group.add_argument("--repeated-block-chars", type=int, default=200,
                       help="--repeated-blocks: characters a run of lines held elsewhere needs to be removed")


def check_arguments(args: argparse.Namespace) -> None:
    if args.num_perm < 1 or args.shingle_size < 1:
        die("--num-perm and --shingle-size must be at least 1")
    if not 1 <= args.rows <= args.num_perm:
        die(f"--rows must be in 1..{args.num_perm} (--num-perm)")
    if not 0.0 < args.threshold <= 1.0:
        die(f"--threshold must be in (0, 1] (got {args.threshold})")
    if not 0.0 < args.compilation_share <= 1.0:
        die(f"--compilation-share must be in (0, 1] (got {args.compilation_share})")
    if not 0.0 < args.template_share <= 1.0:
        die(f"--template-share must be in (0, 1] (got {args.template_share})")
    if args.repeated_block_chars < 1:
        die(f"--repeated-block-chars must be at least 1 (got {args.repeated_block_chars})")
    if args.template_min_docs < 2 or args.template_edge_lines < 1:
        die("--template-min-docs must be at least 2 and --template-edge-lines at least 1")
    if args.num_shards < 1:
        die(f"--num-shards must be at least 1 (got {args.num_shards})")
    if not 0 <= args.shard_id < args.num_shards:
        die(f"--shard-id must be in 0..{args.num_shards - 1} for --num-shards {args.num_shards}")
    if args.phase == "all" and args.num_parts > 1 and args.output and "{part}" not in args.output:
        die("--phase all with --num-parts > 1 writes every part: --output needs a {part} placeholder")


def with_values(args: argparse.Namespace, **values: Any) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), **values})


def sig_path(args: argparse.Namespace, part: int) -> Path:
    return Path(args.work_dir) / f"sig_part{part}.npz"


def minhash_path(args: argparse.Namespace, part: int) -> Path:
    return Path(args.work_dir) / f"sig_part{part}.minhash"


def cand_path(args: argparse.Namespace, shard: int) -> Path:
    return Path(args.work_dir) / f"cand_shard{shard}of{args.num_shards}.npz"


def drop_path(args: argparse.Namespace, part: int) -> Path:
    return Path(args.work_dir) / f"drop_part{part}.npz"


def key64(values: list[str]) -> np.ndarray:
    """A stable 64-bit hash of each string (BLAKE2b): ids and language keys as fixed-width numbers."""
    return np.array([int.from_bytes(hashlib.blake2b(v.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                                    "little") for v in values], dtype=np.uint64)


def line_keys(group: np.uint64 | np.ndarray, lines: list[str]) -> np.ndarray:
    """Keys of lines within their site/language group: a line is a template line of one group only."""
    return mix64(key64(lines) ^ group) if lines else np.zeros(0, np.uint64)


def url_rank(url: str, lang: str) -> int:
    """Lower is more canonical. First whether the URL names a language other than the text's (``/pt/``,
    ``ch07.pt.html``, ``?lang=pt`` on an English text: an untranslated copy in another edition), then
    https, no query, not an explicit index file, then shorter."""
    scheme, _, rest = url.partition("://")
    path = rest[rest.find("/"):] if "/" in rest else ""
    path, query = path.split("#", 1)[0], ""
    if "?" in path:
        path, query = path.split("?", 1)
    tags = {t for t in re.split(r"[/.?=&_]", f"{path}?{query}".lower())
            if t in URL_LANGS or (REGION_TAG.fullmatch(t) and t[:2] in URL_LANGS)}
    other_lang = bool(tags and lang) and lang.split("-")[0] not in {t.split("-")[0] for t in tags}
    flags = ((other_lang << 3) | (bool(query) << 2) | ((scheme.lower() != "https") << 1)
             | bool(re.search(r"/index\.\w+$", path)))
    return (flags << 32) | min(len(url), (1 << 32) - 1)


OTHER_LANG_BIT = 35  # url_rank's bit for a URL that names another language than the text's


def language(record: dict[str, Any], script: str, script_share: float) -> tuple[str, float]:
    """The document's language key and the share of its text in that language. The filter's ``lang`` when
    present (share: ``langs[lang]``, else ``lang_score``); otherwise the dominant script and its share of
    letters. Documents with different keys are never near duplicates."""
    lang = record.get("lang")
    if isinstance(lang, str) and lang.lower() not in UNKNOWN_LANGS:
        shares = record.get("langs")
        if isinstance(shares, list):
            shares = {str(k): v for k, v in shares if isinstance(k, str)} if all(
                isinstance(x, list | tuple) and len(x) == 2 for x in shares) else None
        share = shares.get(lang) if isinstance(shares, dict) else record.get("lang_score")
        if not isinstance(share, int | float) or isinstance(share, bool):
            share = script_share
        return f"lang:{lang}", min(max(float(share), 0.0), 1.0)
    return f"script:{script}", script_share


# ----------------------------------------------------------------------------- per-text work of the signatures phase

_HASHER: dict[str, Any] = {}


def _init_worker(num_perm: int, shingle_size: int, seed: int, casefold: bool, near_dup: bool) -> None:
    _HASHER.update(hasher=MinHasher(num_perm, shingle_size, seed), casefold=casefold, near_dup=near_dup)


def _text_features(texts: list[str]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The per-text work (in a worker with --threads > 1): exact digests, MinHash, letters per script."""
    digests = b"".join(exact_digest(t, _HASHER["casefold"]) for t in texts)
    hasher = _HASHER["hasher"]
    sig = hasher.signatures(texts) if _HASHER["near_dup"] else np.zeros((len(texts), 0), dtype=np.uint32)
    return digests, sig, script_counts(texts)


def _batches(args: argparse.Namespace, stats: StageStats) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    records = iter_part_records(args, stats, REQUIRED)
    for record in progress(records, quiet=args.quiet, desc=f"{NAME} signatures part {args.part_id}"):
        batch.append(record)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _featured_batches(args: argparse.Namespace, stats: StageStats) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    """(records, features) per batch, in input order; with --threads N the features are computed by N
    worker processes, at most 2N batches in flight."""
    init = (args.num_perm, args.shingle_size, args.seed, args.casefold, args.near_dup)
    if args.threads == 1:
        _init_worker(*init)
        for batch in _batches(args, stats):
            yield batch, _text_features([r["text"] for r in batch])
        return
    with ProcessPoolExecutor(args.threads, mp_context=multiprocessing.get_context("forkserver"),
                             initializer=_init_worker, initargs=init) as pool:
        yield from in_order(lambda batch: pool.submit(_text_features, [r["text"] for r in batch]),
                            _batches(args, stats), 2 * args.threads)


def signature_params(args: argparse.Namespace) -> dict[str, Any]:
    return {k: getattr(args, k) for k in SIGNATURE_OPTIONS if k not in ("input", "part_id", "split")}


def check_signatures(args: argparse.Namespace) -> list[int]:
    """Every part's signature files exist and were made with this run's options; returns part sizes."""
    sizes = []
    for part in range(args.num_parts):
        path = sig_path(args, part)
        if not path.exists() or not minhash_path(args, part).exists():
            die(f"missing {path}: run --phase signatures for every part 0..{args.num_parts - 1} first")
        with np.load(path) as data:
            if json.loads(str(data["params"])) != signature_params(args):
                die(f"{path} was made with other options ({data['params']}); rerun --phase signatures")
            sizes.append(len(data["ids_off"]) - 1)
    return sizes


def minhash_chunks(args: argparse.Namespace, part: int, rows: int) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, rows) of a part's MinHash file, CHUNK rows at a time. Plain reads, not a memory map:
    a mapped file's pages would count in the process's resident memory until it is unmapped."""
    width = args.num_perm if args.near_dup else 0
    if rows == 0 or width == 0:
        return
    with open(minhash_path(args, part), "rb") as handle:
        for lo in range(0, rows, CHUNK):
            n = min(CHUNK, rows - lo)
            chunk = np.fromfile(handle, dtype=np.uint32, count=n * width)
            if len(chunk) != n * width:
                die(f"{minhash_path(args, part)} is truncated: rerun --phase signatures")
            yield lo, chunk.reshape(n, width)


def minhash_rows(args: argparse.Namespace, part: int, size: int, rows: np.ndarray) -> np.ndarray:
    """The MinHash of the given (ascending) rows of a part, read chunk by chunk."""
    width = args.num_perm if args.near_dup else 0
    out = np.zeros((len(rows), width), dtype=np.uint32)
    for lo, chunk in minhash_chunks(args, part, size):
        a, b = np.searchsorted(rows, [lo, lo + len(chunk)])
        out[a:b] = chunk[rows[a:b] - lo]
    return out


def sig_files(args: argparse.Namespace) -> list[str]:
    return [str(p) for part in range(args.num_parts) for p in (sig_path(args, part), minhash_path(args, part))]


class DedupePhase(Stage):
    """What the four phases share: the flags, their check, and a fingerprint of only the options a phase
    depends on (so ``--phase all`` and the separate phases share markers)."""

    name = NAME
    default_output = FILES["deduped"]
    option_names: ClassVar[list[str]] = []

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        add_arguments(parser)

    def check(self) -> None:
        check_arguments(self.args)

    def options(self) -> dict[str, Any]:
        return {k: getattr(self.args, k) for k in self.option_names}


# ----------------------------------------------------------------------------- phase 1: signatures


class Signatures(DedupePhase):
    """One part's rows, in input order (the write phase relies on that order). The MinHash rows stream to
    a raw uint32 file, so memory holds a batch of signatures, not the part's."""

    name = f"{NAME}_signatures"
    option_names = SIGNATURE_OPTIONS

    def outputs(self) -> list[str]:
        return [str(sig_path(self.args, self.args.part_id)), str(minhash_path(self.args, self.args.part_id))]

    def label(self) -> str:
        return f"{NAME} signatures part {self.args.part_id}/{self.args.num_parts}"

    def run(self, stats: StageStats) -> None:
        args = self.args
        path, raw = self.outputs()
        ids = bytearray()
        numbers = {k: array("q") for k in ("ids_off", "lang_chars", "length", "url_rank", "passages",
                                           "passage_chars")}  # 8 bytes a row
        numbers["ids_off"].append(0)
        hashes: dict[str, list[np.ndarray]] = {"sha": [], "lang": [], "idkey": [], "group": []}
        lines: list[np.ndarray] = []  # template candidates: one key per document and distinct edge line
        passage = {"key": [], "row": [], "len": []}  # one entry per document and distinct passage
        block: dict[str, list[np.ndarray]] = {"key": [], "row": []}  # --repeated-blocks: per document and line
        line_groups: list[np.ndarray] = []
        group_keys: dict[str, np.uint64] = {}
        # A page served under several URLs (the Apache manual's untranslated copies in every language
        # folder) is one page of its site: its lines are counted once, or a copied page's opening
        # lines would read as the template of a small language group.
        counted: set[bytes] = set()
        counted_groups = array("Q")
        with atomic_write(raw, "wb") as sig_out:
            for batch, (digests, sig, counts) in _featured_batches(args, stats):
                langs, groups, edge, edge_groups = [], array("Q"), [], array("Q")
                found_passages, passage_rows = [], array("q")
                found_lines, line_rows, first_row = [], array("q"), len(numbers["length"])
                scripts, script_shares = dominant_scripts(counts)
                for row, (record, script, script_share) in enumerate(
                        zip(batch, scripts, script_shares.tolist(), strict=True)):
                    lang, share = language(record, script, script_share)
                    langs.append(lang)
                    host, group = site(record) if args.templates else "", 0
                    if host:
                        name = f"{host}\0{lang}"
                        if name not in group_keys:
                            group_keys[name] = key64([name])[0]
                        group = int(group_keys[name])
                        digest = digests[32 * row:32 * row + 16]  # half of its SHA-256 (exact_digest)
                        if digest not in counted:
                            counted.add(digest)
                            counted_groups.append(group)
                            found = edge_lines(record["text"], record.get("code_lines"), args.template_edge_lines)
                            edge += found
                            edge_groups.extend([group] * len(found))
                    groups.append(group)
                    found = passages(record["text"]) if args.compilations else []
                    found_passages += found
                    passage_rows.extend([len(numbers["length"])] * len(found))
                    numbers["passages"].append(len(found))
                    numbers["passage_chars"].append(sum(map(len, found)))
                    if args.repeated_blocks:
                        found = line_forms(record["text"])
                        found_lines += found
                        line_rows.extend([row] * len(found))
                    length = len(" ".join(record["text"].split()))  # spacing is not more text
                    ids += record["id"].encode("utf-8", "surrogatepass")
                    numbers["ids_off"].append(len(ids))
                    numbers["lang_chars"].append(round(share * length))
                    numbers["length"].append(length)
                    url = record.get("url")
                    numbers["url_rank"].append(url_rank(url if isinstance(url, str) else "",
                                                        lang[5:] if lang.startswith("lang:") else ""))
                hashes["sha"].append(np.frombuffer(digests, dtype=np.uint64).reshape(-1, 4))
                hashes["lang"].append(key64(langs))
                if found_lines:  # keyed by language: a translation's untranslated lines are its language's
                    local = np.frombuffer(line_rows, dtype=np.int64)
                    block["key"].append(mix64(key64(found_lines) ^ hashes["lang"][-1][local]))
                    block["row"].append(local + first_row)
                if found_passages:  # not keyed by language: a manual's untranslated sections are one text
                    passage["key"].append(mix64(key64(found_passages)))
                    passage["row"].append(np.frombuffer(passage_rows, dtype=np.int64))
                    passage["len"].append(np.array([len(p) for p in found_passages], dtype=np.int64))
                hashes["idkey"].append(key64([r["id"] for r in batch]))
                hashes["group"].append(np.frombuffer(groups, dtype=np.uint64))
                if edge:
                    line_groups.append(np.frombuffer(edge_groups, dtype=np.uint64))
                    lines.append(line_keys(line_groups[-1], edge))
                sig_out.write(sig.tobytes())
            n = len(numbers["length"])
            empty = {"sha": np.zeros((0, 4), dtype=np.uint64), "lang": np.zeros(0, np.uint64),
                     "idkey": np.zeros(0, np.uint64), "group": np.zeros(0, np.uint64)}
            keys = np.concatenate(lines) if lines else np.zeros(0, np.uint64)
            tpl_key, first, tpl_docs = np.unique(keys, return_index=True, return_counts=True)
            tpl_group = np.concatenate(line_groups)[first] if lines else np.zeros(0, np.uint64)
            grp_key, grp_docs = np.unique(np.frombuffer(counted_groups, dtype=np.uint64), return_counts=True)
            with atomic_write(path, "wb") as handle:
                np.savez(handle, ids_blob=np.frombuffer(ids, dtype=np.uint8),
                         **{k: np.frombuffer(v, dtype=np.int64) for k, v in numbers.items()},
                         **{k: np.concatenate(v) if v else empty[k] for k, v in hashes.items()},
                         tpl_key=tpl_key, tpl_docs=tpl_docs, tpl_group=tpl_group, grp_key=grp_key, grp_docs=grp_docs,
                         **{f"passage_{k}": np.concatenate(v) if v else np.zeros(0, np.uint64 if k == "key" else
                                                                             np.int64) for k, v in passage.items()},
                         **{f"block_{k}": np.concatenate(v) if v else np.zeros(0, np.uint64 if k == "key" else
                                                                           np.int64) for k, v in block.items()},
                         params=np.array(json.dumps(signature_params(args), sort_keys=True)),
                         source=np.array(json.dumps({"input": args.input, "absolute": os.path.abspath(args.input),
                                                     "split": args.split})))
        stats.n_out = n


# ----------------------------------------------------------------------------- phase 2: candidates


class Candidates(DedupePhase):
    """Shard ``--shard-id``'s candidate pairs: its share of the exact-hash, id-hash and LSH band keys,
    paired within buckets. Every bucket lives in exactly one shard, so the union of the shards' pairs is
    the same for any --num-shards."""

    name = f"{NAME}_candidates"
    option_names = CANDIDATE_OPTIONS
    unit = "keys"

    def options(self) -> dict[str, Any]:
        return {**super().options(), "format": CANDIDATES_FORMAT}  # an older shard file is redone, not misread

    def outputs(self) -> list[str]:
        return [str(cand_path(self.args, self.args.shard_id))]

    def inputs(self) -> list[str]:
        return sig_files(self.args)

    def label(self) -> str:
        return f"{NAME} candidates shard {self.args.shard_id}/{self.args.num_shards}"

    def keys(self, sizes: list[int]) -> Iterator[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
        """(kind, bucket key, in-bucket order key, global index) of this shard's entries, a chunk at a
        time: exact-text and id keys of every document, and one key per LSH band of every document with
        a signature (the band key mixed with the language key: other languages never share a bucket)."""
        args = self.args
        bands = args.num_perm // args.rows
        offset = 0
        for part, size in enumerate(sizes):
            with np.load(sig_path(args, part)) as data:
                sha0, idkey, lang = data["sha"][:, 0], data["idkey"], data["lang"]
            order_key = mix64(sha0 ^ mix64(idkey))  # part-independent order inside a bucket
            gidx = np.arange(offset, offset + size, dtype=np.int64)
            for kind, keys in (("exact", mix64(sha0 ^ SALT_EXACT)), ("id", mix64(idkey ^ SALT_ID))):
                mine = shard_of(keys, args.num_shards) == args.shard_id
                yield kind, keys[mine], order_key[mine], gidx[mine]
            for lo, sig in minhash_chunks(args, part, size):
                valid = (sig != EMPTY).any(axis=1)
                for band in range(bands):
                    keys = mix64(band_keys(sig, band, args.rows) ^ lang[lo:lo + CHUNK] ^ band_salt(band))
                    mine = valid & (shard_of(keys, args.num_shards) == args.shard_id)
                    yield "near", keys[mine], order_key[lo:lo + CHUNK][mine], gidx[lo:lo + CHUNK][mine]
            offset += size

    def run(self, stats: StageStats) -> None:
        """Two passes over the signatures so memory holds 8 bytes per key of the shard, not the entries:
        the first collects and sorts the bare keys to find those seen at least twice (a key seen once
        pairs nothing, and that is nearly every key), the second keeps only the entries of those."""
        sizes = check_signatures(self.args)
        # keys land straight in one buffer sized for the shard's expected share (grown if exceeded)
        expected = sum(sizes) * (2 + self.args.num_perm // self.args.rows) // self.args.num_shards
        every = np.empty(expected + expected // 50 + 1024, dtype=np.uint64)
        at = 0
        for _, keys, _, _ in self.keys(sizes):
            if at + len(keys) > len(every):
                every = np.concatenate([every[:at], np.empty(len(every) // 2 + len(keys), dtype=np.uint64)])
            every[at:at + len(keys)] = keys
            at += len(keys)
        every = every[:at]
        every.sort()
        stats.n_in = len(every)
        shared = np.unique(every[1:][every[1:] == every[:-1]])
        del every
        entries: dict[str, list[list[np.ndarray]]] = {kind: [[], [], []] for kind in ("exact", "id", "near")}
        for kind, keys, order_key, gidx in self.keys(sizes):
            pos = np.minimum(np.searchsorted(shared, keys), max(len(shared) - 1, 0))
            hit = shared[pos] == keys if len(shared) else np.zeros(len(keys), dtype=bool)
            for column, values in zip(entries[kind], (keys, order_key, gidx), strict=True):
                column.append(values[hit])
        pairs = {}
        for kind, columns in entries.items():
            pairs[kind] = bucket_pairs(*(np.concatenate(c) if c else np.zeros(0, np.uint64) for c in columns))
            stats.count(f"{kind}_pairs", len(pairs[kind]))
        templates, template_groups = self.templates()
        stats.count("template_lines", len(templates))
        covered = self.covered(sizes)
        stats.count("docs_with_passages_elsewhere", len(covered["covered_doc"]))
        blocks = self.repeated(sizes)
        if self.args.repeated_blocks:
            stats.count("repeated_line_entries", len(blocks["block_key"]))
        with atomic_write(self.outputs()[0], "wb") as handle:
            np.savez(handle, template=templates, template_group=template_groups, **covered, **blocks, **pairs)
        stats.n_out = sum(len(p) for p in pairs.values())

    def shared_entries(self, prefix: str, sizes: list[int],
                       columns: Callable[[Any, np.ndarray, np.ndarray], tuple[np.ndarray, ...]]) -> list[np.ndarray]:
        """(keys, global indices, *columns) of this shard's ``{prefix}_key`` entries whose key two entries or
        more hold. Two passes, as for the pairs: only those entries are held in memory with their document.
        ``columns(data, mine, rows)`` picks further values from a part's signatures."""
        args = self.args
        keys = []
        for part in range(args.num_parts):
            with np.load(sig_path(args, part)) as data:
                part_keys = data[f"{prefix}_key"]
                keys.append(part_keys[shard_of(part_keys, args.num_shards) == args.shard_id])
        every = np.sort(np.concatenate(keys)) if keys else np.zeros(0, np.uint64)
        shared = np.unique(every[1:][every[1:] == every[:-1]])
        del every, keys
        found = []
        offset = 0
        for part, size in enumerate(sizes):
            with np.load(sig_path(args, part)) as data:
                part_keys, rows = data[f"{prefix}_key"], data[f"{prefix}_row"]
                mine = (shard_of(part_keys, args.num_shards) == args.shard_id) & np.isin(part_keys, shared)
                found.append((part_keys[mine], rows[mine] + offset, *columns(data, mine, rows[mine])))
            offset += size
        return [np.concatenate(column) for column in zip(*found, strict=True)]

    def covered(self, sizes: list[int]) -> dict[str, np.ndarray]:
        """Per document, the characters of this shard's passages that smaller documents hold too, and that
        longer ones do (lion1b/dedup/compilation.py)."""
        return covered_chars(*self.shared_entries(
            "passage", sizes, lambda data, mine, rows: (data["passage_len"][mine], data["length"][rows])))

    def repeated(self, sizes: list[int]) -> dict[str, np.ndarray]:
        """This shard's line keys that two documents or more hold, one entry per document, with whether it
        reads as a partial translation (its URL names another language than its text's, or more than
        MIN_TRANSLATED of its prose is in other languages), its length and a part-independent order key
        (lion1b/dedup/repeated.py); empty without --repeated-blocks."""
        names = ("block_key", "block_doc", "block_translation", "block_len", "block_order")
        if not self.args.repeated_blocks:
            return {name: np.zeros(0, np.uint64 if name in ("block_key", "block_order") else np.int64)
                    for name in names}
        found = self.shared_entries("block", sizes, lambda data, mine, rows: (
            (data["url_rank"][rows] >> OTHER_LANG_BIT & 1)
            | (data["lang_chars"][rows] < (1 - MIN_TRANSLATED) * data["length"][rows]), data["length"][rows],
            mix64(data["sha"][rows, 0] ^ mix64(data["idkey"][rows]))))
        return dict(zip(names, found, strict=True))

    def templates(self) -> tuple[np.ndarray, np.ndarray]:
        """This shard's template line keys and their groups: the edge-line keys it owns, their documents
        summed over the parts, kept when they reach the floor of their site/language group
        (lion1b/dedup/template.py)."""
        args = self.args
        keys, docs, groups, group_docs = [], [], [], {}
        for part in range(args.num_parts):
            with np.load(sig_path(args, part)) as data:
                part_keys = data["tpl_key"]  # each access of an npz entry reads it from the file again
                mine = shard_of(part_keys, args.num_shards) == args.shard_id
                keys.append(part_keys[mine])
                docs.append(data["tpl_docs"][mine])
                groups.append(data["tpl_group"][mine])
                for group, n in zip(data["grp_key"].tolist(), data["grp_docs"].tolist(), strict=True):
                    group_docs[group] = group_docs.get(group, 0) + n
        if not keys or not sum(len(k) for k in keys):
            return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
        key, first, where = np.unique(np.concatenate(keys), return_index=True, return_inverse=True)
        total = np.bincount(where, weights=np.concatenate(docs)).astype(np.int64)
        group = np.concatenate(groups)[first]
        need = np.array([floor(args.template_share, args.template_min_docs, group_docs[g]) for g in group.tolist()],
                        dtype=np.int64)
        return key[total >= need], group[total >= need]


# ----------------------------------------------------------------------------- phase 3: cluster


def load_documents(args: argparse.Namespace, sizes: list[int], gidx: np.ndarray) -> dict[str, Any]:
    """The fields of the documents named by ``gidx`` (ascending global indices), part by part."""
    offsets = np.cumsum([0, *sizes])
    out: dict[str, list[Any]] = {k: [] for k in ("ids", "sha", "lang", "lang_chars", "length", "url_rank", "sig")}
    for part, size in enumerate(sizes):
        lo, hi = np.searchsorted(gidx, [offsets[part], offsets[part + 1]])
        rows = gidx[lo:hi] - offsets[part]
        if len(rows) == 0:
            continue
        with np.load(sig_path(args, part)) as data:
            blob, off = data["ids_blob"], data["ids_off"]
            out["ids"] += [blob[off[r]:off[r + 1]].tobytes().decode("utf-8", "surrogatepass") for r in rows]
            for key in ("sha", "lang", "lang_chars", "length", "url_rank"):
                out[key].append(data[key][rows])
        out["sig"].append(minhash_rows(args, part, size, rows))
    width = args.num_perm if args.near_dup else 0
    empty = {"sha": np.zeros((0, 4), np.uint64), "sig": np.zeros((0, width), np.uint32)}
    return {k: v if k == "ids" else (np.concatenate(v) if v else empty.get(k, np.zeros(0, np.int64)))
            for k, v in out.items()}


def readable(pattern: str) -> bool:
    """Whether an --input (a path or a glob, as the contract reads it) names at least one file here."""
    return bool(glob.glob(pattern)) if any(c in pattern for c in "*?[") else os.path.isfile(pattern)


def load_texts(args: argparse.Namespace, sizes: list[int], rows: np.ndarray,
               names: np.ndarray) -> dict[int, tuple[str, object, object]]:
    """The texts (cut to ``MAX_CHARS``), ``title`` and ``langs`` fields (None when absent) of the documents at
    global ``rows``, keyed by ``names`` (same order), read part by part."""
    offsets = np.cumsum([0, *sizes])
    wanted = dict(zip(rows.tolist(), names.tolist(), strict=True))
    out: dict[int, tuple[str, object, object]] = {}
    for part in range(args.num_parts):
        lo, hi = int(offsets[part]), int(offsets[part + 1])
        if not any(lo <= r < hi for r in wanted):
            continue
        changed = f"input of part {part} changed since its signatures were made; rerun all phases"
        with np.load(sig_path(args, part)) as data:
            if "source" not in data:
                die(f"{sig_path(args, part)} predates --verify; rerun --phase signatures")
            source, idkey = json.loads(str(data["source"])), data["idkey"]
        # as given (the drivers run every phase from the project root, on any node), else as resolved then
        where = next((p for p in (source["input"], source["absolute"]) if readable(p)), None)
        if where is None:
            die(f"part {part}'s input {source['input']} is not readable here: the cluster phase reads the texts "
                "of candidate pairs again (--no-verify does not)")
        part_args = with_values(args, part_id=part, input=where, split=source["split"])
        row = lo - 1
        for row, record in enumerate(iter_part_records(part_args, StageStats(), REQUIRED), lo):
            if row in wanted:
                if row >= hi or key64([record["id"]])[0] != idkey[row - lo]:
                    die(changed)
                out[wanted[row]] = (record["text"][:MAX_CHARS], record.get("title"), record.get("langs"))
        if row + 1 != hi:
            die(changed)
    return out


class Cluster(DedupePhase):
    """Verifies every shard's candidate pairs and applies the keeper rule (lion1b/dedup/cluster.py) to the
    documents they name: memory grows with the pairs, not with the corpus."""

    name = f"{NAME}_cluster"
    option_names = ["input", "num_parts", "num_shards", "near_dup", "rows", "threshold", "verify", "verify_jaccard",
                    "verify_sequence", "dup_map", "work_dir", "compilations", "compilation_share", "repeated_blocks"]

    def outputs(self) -> list[str]:
        paths = [Path(self.args.work_dir) / "clusters.json"]
        paths += [drop_path(self.args, p) for p in range(self.args.num_parts)]
        return [str(p) for p in paths] + ([self.args.dup_map] if self.args.dup_map else [])

    def inputs(self) -> list[str]:
        return [str(cand_path(self.args, s)) for s in range(self.args.num_shards)] + sig_files(self.args)

    def label(self) -> str:
        return f"{NAME} cluster {self.args.num_parts} parts, {self.args.num_shards} shards"

    def run(self, stats: StageStats) -> None:
        args = self.args
        sizes = check_signatures(args)
        pairs: dict[str, list[np.ndarray]] = {"exact": [], "id": [], "near": []}
        templates, template_groups = [], []
        covered = np.zeros(sum(sizes), dtype=np.int64)
        inside = np.zeros(sum(sizes), dtype=np.int64)
        band = []
        for shard in range(args.num_shards):
            with np.load(cand_path(args, shard)) as data:
                for kind in pairs:
                    pairs[kind].append(data[kind])
                templates.append(data["template"])
                template_groups.append(data["template_group"])
                covered[data["covered_doc"]] += data["covered_chars"]  # a shard lists each document once
                inside[data["inside_doc"]] += data["inside_chars"]
                band.append(np.stack([data["band_doc"], data["band_holder"], data["band_chars"]], axis=1))
        template, template_group = np.unique(np.concatenate(templates)), np.unique(np.concatenate(template_groups))
        stats.count("template_lines", len(template))
        joined = {k: np.unique(np.concatenate(v), axis=0) for k, v in pairs.items()}
        whole, passage_chars, credited = np.zeros(0, np.int64), np.zeros(0, np.int64), covered
        if args.compilations:  # first: a compilation is never a duplicate's keeper (its section would go too)
            passage_chars, passage_count = self.passage_totals(sizes)
            whole, credited = compilations(passage_chars, passage_count, covered, np.concatenate(band), inside,
                                           args.compilation_share)
            joined = {k: p[~np.isin(p, whole).any(axis=1)] for k, p in joined.items()}
        involved = np.unique(np.concatenate([p.reshape(-1) for p in joined.values()]))
        docs = load_documents(args, sizes, involved)
        order = rank_order(np.array(docs["ids"], dtype=str), docs["sha"], docs["lang_chars"], docs["length"],
                           docs["url_rank"])
        ids = np.array(docs["ids"], dtype=object)[order]
        sig = docs.pop("sig")[order]  # the ranked copy only: signatures are the bulk of this phase's memory
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))

        def ranked(p: np.ndarray) -> np.ndarray:
            return rank[np.searchsorted(involved, p)]

        def load(ranks: np.ndarray) -> dict[int, tuple[str, object, object]]:
            return load_texts(args, sizes, involved[order[ranks]], ranks)

        verifier = Verifier(load, args.verify_jaccard, args.verify_sequence) if args.verify else None

        def steps(ranks: list[int]) -> Iterable[int]:
            return progress(ranks, quiet=args.quiet, total=len(ranks), desc=f"{NAME} cluster: comparing texts")

        result = resolve(list(ids), docs["sha"][order], docs["lang"][order], sig,
                         ranked(joined["exact"]), ranked(joined["id"]), ranked(joined["near"]), args.threshold,
                         verifier, steps)
        if verifier is not None:
            stats.count("verified_pairs", verifier.checked)
            stats.count("rejected_pairs", sum(verifier.rejected.values()))
            for reason, n in sorted(verifier.rejected.items()):
                stats.count(f"rejected_{reason}", n)
        stats.n_in = sum(sizes)
        dropped = np.flatnonzero(result.kind != KEEP)
        global_row, kinds = involved[order[dropped]], result.kind[dropped]
        global_row = np.concatenate([global_row, whole])
        kinds = np.concatenate([kinds, np.full(len(whole), COMPILATION, dtype=kinds.dtype)])
        for code, reason in KINDS.items():
            if (kinds == code).any():
                stats.drop(reason, int((kinds == code).sum()))
        stats.n_out = stats.n_in - len(global_row)
        stats.count("candidate_pairs", sum(len(p) for p in joined.values()))
        block_doc, block_key = self.owned_elsewhere(sizes, global_row)
        if args.repeated_blocks:
            stats.count("lines_owned_elsewhere", len(block_doc))
        offsets = np.cumsum([0, *sizes])
        for part in range(args.num_parts):
            mine = (global_row >= offsets[part]) & (global_row < offsets[part + 1])
            lo, hi = np.searchsorted(block_doc, [offsets[part], offsets[part + 1]])
            with atomic_write(drop_path(args, part), "wb") as handle:
                np.savez(handle, rows=global_row[mine] - offsets[part], kinds=kinds[mine],
                         templates=template, template_groups=template_group,
                         block_rows=block_doc[lo:hi] - offsets[part], block_keys=block_key[lo:hi],
                         repeated_blocks=np.array(args.repeated_blocks))
        if args.dup_map:
            lines = []
            for r in dropped.tolist():
                sim = float(result.similarity[r])
                lines.append({"id": ids[r], "kept_id": ids[result.keeper[r]],
                              "kind": KINDS[int(result.kind[r])], "similarity": None if sim != sim else round(sim, 4)})
            if len(whole):
                shares = credited[whole] / np.maximum(passage_chars[whole], 1)
                for doc_id, share in zip(load_documents(args, sizes, whole)["ids"], shares.tolist(), strict=True):
                    lines.append({"id": doc_id, "kept_id": None, "kind": KINDS[COMPILATION],
                                  "similarity": round(share, 4)})
            lines.sort(key=lambda line: (line["id"], line["kept_id"]))
            with atomic_write(args.dup_map) as handle:
                handle.writelines(record_line(line) for line in lines)
        with atomic_write(self.outputs()[0]) as handle:
            json.dump(stats.as_dict(), handle, indent=1)

    def owned_elsewhere(self, sizes: list[int], dropped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents, line keys), by document: the lines of kept documents that another kept document owns
        (lion1b/dedup/repeated.py), shard by shard (a key lives in one shard)."""
        docs, keys = [np.zeros(0, np.int64)], [np.zeros(0, np.uint64)]
        if self.args.repeated_blocks:
            kept = np.ones(sum(sizes), dtype=bool)
            kept[dropped] = False
            for shard in range(self.args.num_shards):
                with np.load(cand_path(self.args, shard)) as data:
                    doc = data["block_doc"]
                    found = owned_elsewhere(data["block_key"], doc, data["block_translation"], data["block_len"],
                                            data["block_order"], kept[doc])
                docs.append(found[0])
                keys.append(found[1])
        doc, key = np.concatenate(docs), np.concatenate(keys)
        order = np.argsort(doc, kind="stable")
        return doc[order], key[order]

    def passage_totals(self, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Every document's passage characters and passage count, in global order."""
        chars, count = [], []
        for part in range(len(sizes)):
            with np.load(sig_path(self.args, part)) as data:
                chars.append(data["passage_chars"])
                count.append(data["passages"])
        return np.concatenate(chars), np.concatenate(count)


def run_cluster(args: argparse.Namespace) -> None:
    """The cluster phase as the drivers call it: first every shard whose candidates are missing or stale
    (``--threads`` shards at a time, each in its own process), then the union."""
    todo = [with_values(args, shard_id=s) for s in range(args.num_shards)]
    if args.threads > 1:
        todo = [a for a in todo if args.force or not is_done(Candidates(a))]
        if todo:
            with ProcessPoolExecutor(min(args.threads, len(todo)),
                                     mp_context=multiprocessing.get_context("forkserver")) as pool:
                list(pool.map(execute_candidates, todo))
    else:
        for shard_args in todo:
            execute(Candidates(shard_args))
    execute(Cluster(args))


def execute_candidates(args: argparse.Namespace) -> None:
    """One shard in a worker process (a module-level function: the pool pickles it by name)."""
    execute(Candidates(args))


def is_done(stage: Stage) -> bool:
    """The runner's own skip test, asked before starting a worker for a shard that is already complete."""
    return StageMarker(stage.name, stage.outputs(), stage.options(), stage.inputs()).is_done()


# ----------------------------------------------------------------------------- phase 4: write


class Write(DedupePhase):
    """Streams the part again and writes the records the cluster phase kept, their site template lines
    removed (and, with --repeated-blocks, their blocks owned elsewhere); the removed lines go to
    ``<work-dir>/template_lines_part{T}.jsonl`` (line, documents) and the blocks to
    ``<work-dir>/repeated_blocks_part{T}.jsonl`` (block, documents), for audit: the work directory, not the
    log, since scrub_pii has not run yet."""

    option_names = ["input", "part_id", "num_parts", "split", "output", "template_edge_lines", "repeated_blocks",
                    "repeated_block_chars"]

    def outputs(self) -> list[str]:
        audits = ["template_lines"] + (["repeated_blocks"] if self.args.repeated_blocks else [])
        return [self.output()] + [str(Path(self.args.work_dir) / f"{name}_part{self.args.part_id}.jsonl")
                                  for name in audits]

    def inputs(self) -> list[str]:
        return [self.args.input, str(sig_path(self.args, self.args.part_id)),
                str(drop_path(self.args, self.args.part_id))]

    def run(self, stats: StageStats) -> None:
        args = self.args
        sig_file, drop_file = self.inputs()[1:]
        if not (Path(sig_file).exists() and Path(drop_file).exists()):
            die(f"missing {drop_file}: run --phase signatures for every part, then --phase cluster, first")
        with np.load(sig_file) as data:
            idkey, groups, langs = data["idkey"], data["group"], data["lang"]
        with np.load(drop_file) as data:
            status = np.zeros(len(idkey), dtype=np.int8)
            if len(data["rows"]) and data["rows"].max() >= len(idkey):
                die(f"{drop_file} does not match {sig_file}: rerun --phase cluster")
            status[data["rows"]] = data["kinds"]
            templates, template_groups = data["templates"], set(data["template_groups"].tolist())
            if ("repeated_blocks" in data and bool(data["repeated_blocks"])) != args.repeated_blocks:
                die(f"{drop_file} was made {'without' if args.repeated_blocks else 'with'} --repeated-blocks: "
                    "give the cluster and write phases the same flags")
            block_rows, block_keys = data["block_rows"], data["block_keys"]
        removed: Counter[str] = Counter()
        removed_blocks: Counter[str] = Counter()
        row = -1
        changed = f"input of part {args.part_id} changed since its signatures were made; rerun all phases"
        with atomic_write(self.output()) as out:
            records = iter_part_records(args, stats, REQUIRED)
            for row, record in enumerate(progress(records, quiet=args.quiet, desc=f"{NAME} write part {args.part_id}")):
                if row >= len(idkey) or key64([record["id"]])[0] != idkey[row]:
                    die(changed)
                if status[row] != KEEP:
                    stats.drop(KINDS[int(status[row])])
                    continue
                if int(groups[row]) in template_groups:
                    group = groups[row]
                    found = strip_template(
                        record["text"], record.get("code_lines"), args.template_edge_lines,
                        lambda candidates, group=group: np.isin(line_keys(group, candidates), templates).tolist())
                    if not take_lines(record, found, removed, stats, ("template_lines", "template_docs",
                                                                      "template_only")):
                        continue
                lo, hi = np.searchsorted(block_rows, [row, row + 1])
                if hi > lo:
                    owned, lang = block_keys[lo:hi], langs[row]
                    found = strip_repeated(
                        record["text"], record.get("code_lines"),
                        lambda forms, owned=owned, lang=lang: np.isin(mix64(key64(forms) ^ lang), owned).tolist(),
                        args.repeated_block_chars)
                    if found[2]:
                        stats.count("repeated_block_chars", sum(map(len, found[2])))
                    if not take_lines(record, found, removed_blocks, stats, ("repeated_blocks", "repeated_block_docs",
                                                                             "repeated_only")):
                        continue
                write_record(out, record)
                stats.n_out += 1
            if row + 1 != len(idkey):
                die(changed)
        audits = [("line", removed), ("block", removed_blocks)]
        for path, (field, counts) in zip(self.outputs()[1:], audits, strict=False):
            with atomic_write(path) as audit:
                audit.writelines(record_line({field: text, "documents": n}) for text, n in counts.most_common())


def take_lines(record: dict[str, Any], found: tuple[str, Any, list[str]], audit: Counter[str], stats: StageStats,
               names: tuple[str, str, str]) -> bool:
    """Puts what a line rule left, ``(text, code_lines, removed)``, into the record and counts the removed
    lines or blocks under ``names`` (their counter, the documents counter, the drop reason when nothing is
    left). False when nothing is left: the record is dropped."""
    text, code, items = found
    if not items:
        return True
    audit.update(set(items))
    stats.count(names[0], len(items))
    stats.count(names[1])
    if not text.strip():
        stats.drop(names[2])
        return False
    record["text"] = text
    if "code_lines" in record:
        record["code_lines"] = code
    return True


def main(argv: list[str] | None = None) -> None:
    args = parse_stage_args(DedupePhase, argv, __doc__.split("\n\n")[0])
    check_arguments(args)
    if args.phase == "signatures":
        execute(Signatures(args))
    elif args.phase == "candidates":
        execute(Candidates(args))
    elif args.phase == "cluster":
        run_cluster(args)
    elif args.phase == "write":
        execute(Write(args))
    else:
        for part in range(args.num_parts):
            execute(Signatures(with_values(args, part_id=part)))
        run_cluster(args)
        for part in range(args.num_parts):
            execute(Write(with_values(args, part_id=part)))
