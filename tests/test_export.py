"""export_dataset: Parquet shards written with `datasets`, loadable with load_dataset("parquet"), splits equal
to the .seq split, token counts equal to the packer's, and a dataset card built from the run report."""

import json
from pathlib import Path

import pytest
from pipeline_data import PARTS, TEST_RATIO, pipeline_root

from lion1b.contract import open_records
from lion1b.export.hf import main as export_main
from lion1b.tokenize.pack import is_test
from lion1b.tokenize.seqfile import SeqFile


def test_export_loads_with_datasets_and_matches_the_seq_split(tmp_path_factory, tmp_path: Path) -> None:
    import datasets

    root = pipeline_root(tmp_path_factory)
    data, out = root / "data", tmp_path / "hf"
    export_main(["--data-dir", str(data), "--out", str(out), "--model", str(root / "tokenizer" / "tokenizer.model"),
                 "--shard-docs", "50"])
    loaded = datasets.load_dataset("parquet", data_dir=str(out))
    assert set(loaded) == {"train", "test"}
    assert loaded["train"].column_names == ["id", "url", "text", "lang", "n_tokens"]
    assert len(list((out / "data").glob("train-*-of-*.parquet"))) > 1  # sharded by --shard-docs
    final = {r["id"]: r for t in range(PARTS) for r in open_records(data / f"scrubbed_thread{t}.txt")}
    for split in ("train", "test"):
        rows = loaded[split]
        ids = set(rows["id"])
        # the split the packer used (its ratio was recovered, not told) ...
        assert ids == {i for i in final if is_test(i, TEST_RATIO) == (split == "test")}
        # ... so every document of a .seq file is in the same split of the export
        for t in range(PARTS):
            assert set(SeqFile(data / f"{split}_thread{t}.seq").document_ids()) <= ids
        # token counts: the packed stream's own total (BOS/EOS included), from the packer's markers
        encoded = sum(json.loads((data / f"train_thread{t}.seq.done").read_text())["stats"]["counters"]
                      [f"{split}_tokens_encoded"] for t in range(PARTS))
        assert sum(rows["n_tokens"]) == encoded
        for row in rows.select(range(min(5, len(rows)))):
            assert row["text"] == final[row["id"]]["text"] and row["url"] == final[row["id"]]["url"]
            assert row["lang"] == final[row["id"]]["lang"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlicense: other") and "  - split: test\n    path: data/test-*" in card
    assert f"| train | {len(loaded['train']):,} | {sum(loaded['train']['n_tokens']):,} |" in card
    assert "lang:ja" in card and "## Licence and provenance" in card and "127.0.0.1:8101" in card


def test_export_without_the_tokenizer_and_with_a_wrong_split(tmp_path_factory, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    import datasets

    data = pipeline_root(tmp_path_factory) / "data"
    export_main(["--data-dir", str(data), "--out", str(tmp_path / "hf"), "--model", str(tmp_path / "missing.model")])
    loaded = datasets.load_dataset("parquet", data_dir=str(tmp_path / "hf"))
    assert set(loaded["train"]["n_tokens"]) == {None}
    assert "n_tokens will be null" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:  # a ratio that disagrees with the .seq files is refused
        export_main(["--data-dir", str(data), "--out", str(tmp_path / "bad"), "--test-ratio", "0.9"])
    assert exc.value.code == 2 and "pass the ratio used for packing" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    with pytest.raises(SystemExit):
        export_main(["--data-dir", str(tmp_path), "--out", str(tmp_path / "none")])
    assert "no scrubbed_thread*.txt shards" in capsys.readouterr().err


def test_test_ratio_recovered_from_the_split_counts() -> None:
    """The packer keeps no options; the ratio comes back from how many documents went to test, and splits
    every document as the original ratio did (the usual round values come back exactly)."""
    import random

    from lion1b.export.packing import ratio_between, split_hash

    rng = random.Random(5)
    ids = [f"{rng.getrandbits(64):016x}" for _ in range(3000)]
    hashes = sorted(split_hash(i) for i in ids)
    for ratio in (0.0, 0.001, 0.01, 0.033, 0.1, 0.2, 0.5, 0.999):
        n_test = sum(is_test(i, ratio) for i in ids)
        recovered = ratio_between(hashes[n_test - 1] if n_test else None,
                                  hashes[n_test] if n_test < len(hashes) else None)
        assert [is_test(i, recovered) for i in ids] == [is_test(i, ratio) for i in ids], ratio
        if ratio in (0.01, 0.1, 0.2, 0.5):
            assert recovered == ratio
