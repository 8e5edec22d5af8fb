"""Export the final text as a Hugging Face dataset (Parquet shards, train/test as in the .seq files, a card).

The code lives in lion1b/export/hf.py; this file keeps the command where the README puts it.
"""

from lion1b.export.hf import main

if __name__ == "__main__":
    main()
