"""Dedupe: exact and near duplicates found across parts, the same result for any --num-parts, the dup map,
malformed lines counted, and the MinHash pieces behaving like MinHash."""

import json
import random

import numpy as np
import pytest

from lion1b.contract import open_records
from lion1b.dedup.minhash import MinHasher, estimated_jaccard, exact_hash, lsh_candidates
from lion1b.dedup.stage import main

VOCAB = [f"w{i}" for i in range(5000)]


def make_doc(rng: random.Random, n_words: int = 120) -> str:
    words = [rng.choice(VOCAB) for _ in range(n_words)]
    return " ".join(words[:60]) + ".\n\n" + " ".join(words[60:]) + "."


def edit(rng: random.Random, text: str, share: float) -> str:
    words = text.split(" ")
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(VOCAB)
    return " ".join(words)


@pytest.fixture()
def corpus(tmp_path):
    """40 unrelated documents, then copies spread over the file (so over the parts):
    exact copies after case/whitespace changes and near copies with 5% of words replaced."""
    rng = random.Random(7)
    docs = {f"{i:04x}doc": make_doc(rng) for i in range(40)}
    originals = list(docs)
    dupes = {
        "zz01": ("0000doc", "exact", docs["0000doc"].upper().replace(" ", "  \n ")),
        "zz02": ("0003doc", "exact", docs["0003doc"]),
        "zz03": ("0005doc", "near", edit(rng, docs["0005doc"], 0.05)),
        "zz04": ("0007doc", "near", edit(rng, docs["0007doc"], 0.03)),
        "0001abc": ("0009doc", "near", edit(rng, docs["0009doc"], 0.04)),  # sorts before its original
    }
    lines = []
    for doc_id in originals:
        lines.append(json.dumps({"id": doc_id, "url": f"https://x.test/{doc_id}", "text": docs[doc_id]}))
    for i, (doc_id, (_, _, text)) in enumerate(dupes.items()):
        lines.insert(3 + 9 * i, json.dumps({"id": doc_id, "url": f"https://x.test/{doc_id}", "text": text}))
    lines.insert(20, "{not json")
    lines.insert(30, json.dumps({"id": 5, "text": "id is not a string"}))
    path = tmp_path / "filtered.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(tmp_path, input_path, num_parts, *extra):
    out = tmp_path / f"out{num_parts}"
    argv = ["--input", str(input_path), "--num-parts", str(num_parts), "--work-dir", str(out / "work"),
            "--output", str(out / "deduped_thread{part}.txt"), "--dup-map", str(out / "map.jsonl"), "--quiet",
            *extra]
    main(argv)
    kept = [r["id"] for p in range(num_parts) for r in open_records(out / f"deduped_thread{p}.txt")]
    dup_map = {r["id"]: (r["kept_id"], r["kind"]) for r in open_records(out / "map.jsonl")}
    return out, kept, dup_map


def test_exact_and_near_duplicates_dropped_across_parts(tmp_path, corpus):
    out, kept, dup_map = run(tmp_path, corpus, 3)
    assert len(kept) == len(set(kept)) == 40
    assert dup_map == {
        "zz01": ("0000doc", "exact_duplicate"),
        "zz02": ("0003doc", "exact_duplicate"),
        "zz03": ("0005doc", "near_duplicate"),
        "zz04": ("0007doc", "near_duplicate"),
        # the keeper is the first id in sorted order, not the first one seen
        "0009doc": ("0001abc", "near_duplicate"),
    }
    assert "0001abc" in kept and "0009doc" not in kept
    summary = json.loads((out / "work" / "clusters.json").read_text())
    assert summary["dropped"] == {"exact_duplicate": 2, "near_duplicate": 3}


@pytest.mark.parametrize("num_parts", [3, 8])
def test_result_independent_of_num_parts(tmp_path, corpus, num_parts):
    _, kept_one, map_one = run(tmp_path, corpus, 1)
    _, kept_many, map_many = run(tmp_path, corpus, num_parts)
    assert sorted(kept_one) == sorted(kept_many)
    assert map_one == map_many


def test_malformed_lines_counted_not_fatal(tmp_path, corpus):
    out, _, _ = run(tmp_path, corpus, 1)
    marker = json.loads((out / "deduped_thread0.txt.done").read_text())
    assert marker["stats"]["dropped"]["malformed"] == 2
    assert marker["stats"]["out"] == 40


def test_near_dup_off_keeps_near_copies(tmp_path, corpus):
    _, kept, dup_map = run(tmp_path, corpus, 2, "--no-near-dup")
    assert {k for k, (_, kind) in dup_map.items()} == {"zz01", "zz02"}
    assert len(kept) == 43


def test_casefold_off_keeps_case_changed_copy(tmp_path, corpus):
    _, _, dup_map = run(tmp_path, corpus, 1, "--no-casefold", "--no-near-dup")
    assert set(dup_map) == {"zz02"}


def test_separate_phases_on_per_part_files(tmp_path, corpus):
    """The driver's way: signatures per part file, one cluster, write per part; same as --phase all."""
    records = corpus.read_text().splitlines()
    for part in range(3):
        (tmp_path / f"filtered_thread{part}.txt").write_text("\n".join(records[part::3]) + "\n")
    common = ["--num-parts", "3", "--work-dir", str(tmp_path / "work"), "--quiet"]
    for part in range(3):
        main(["--phase", "signatures", "--input", str(tmp_path / f"filtered_thread{part}.txt"),
              "--part-id", str(part), *common])
    main(["--phase", "cluster", "--input", str(tmp_path / "filtered_thread*.txt"), *common])
    kept = []
    for part in range(3):
        output = tmp_path / f"deduped_thread{part}.txt"
        main(["--phase", "write", "--input", str(tmp_path / f"filtered_thread{part}.txt"),
              "--part-id", str(part), "--output", str(output), *common])
        kept += [r["id"] for r in open_records(output)]
    _, kept_all, _ = run(tmp_path, corpus, 1)
    assert sorted(kept) == sorted(kept_all)


def test_phase_order_and_changed_input_are_clear_errors(tmp_path, corpus):
    common = ["--input", str(corpus), "--num-parts", "2", "--work-dir", str(tmp_path / "w"), "--quiet"]
    with pytest.raises(SystemExit) as exc:
        main(["--phase", "cluster", *common])
    assert exc.value.code == 2
    main(["--phase", "signatures", "--part-id", "0", *common])
    main(["--phase", "signatures", "--part-id", "1", *common])
    main(["--phase", "cluster", *common])
    corpus.write_text(corpus.read_text().replace('"0002doc"', '"0002xxx"'))
    with pytest.raises(SystemExit) as exc:
        main(["--phase", "write", "--part-id", "0", "--output", str(tmp_path / "o.txt"), *common])
    assert exc.value.code == 2
    assert not (tmp_path / "o.txt").exists()


def test_exact_hash_normalization():
    base = exact_hash("Hello   World\n")
    assert exact_hash("hello world") == base
    assert exact_hash("Ｈｅｌｌｏ World") == base  # NFKC folds full-width letters
    assert exact_hash("Hello World", casefold=False) != exact_hash("hello world", casefold=False)
    assert exact_hash("Hello World!") != base


def test_minhash_estimates_jaccard_and_ignores_batching():
    rng = random.Random(1)
    a = make_doc(rng, 400)
    b = edit(rng, a, 0.05)
    hasher = MinHasher(num_perm=256)
    texts = ["ﬁrst ligature expands under NFKC", a, "", "two words", b]
    sig = hasher.signatures(texts)
    alone = np.concatenate([hasher.signatures([t]) for t in texts])
    assert (sig == alone).all()  # a document's signature does not depend on its batch neighbours

    def shingles(text):
        words = text.lower().replace(".", " ").split()
        return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}

    true = len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))
    est = estimated_jaccard(sig, np.array([[1, 4]]))[0]
    assert abs(est - true) < 0.1
    assert (sig[2] == np.iinfo(np.uint32).max).all()  # no words, no signature
    pairs = lsh_candidates(sig, bands=128, rows=2)
    assert [1, 4] in pairs.tolist() and not any(2 in p for p in pairs.tolist())


def test_same_id_kept_once(tmp_path):
    """Two records of one URL (same id) with different text: one survives, whatever the parts."""
    rng = random.Random(3)
    lines = [json.dumps({"id": "a1", "text": make_doc(rng)}), json.dumps({"id": "b2", "text": make_doc(rng)}),
             json.dumps({"id": "a1", "text": make_doc(rng)})]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    for parts in (1, 2):
        _, kept, dup_map = run(tmp_path, path, parts)
        assert sorted(kept) == ["a1", "b2"]
        assert dup_map == {"a1": ("a1", "same_id")}
