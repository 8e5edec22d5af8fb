"""Drop exact and near duplicates across all parts (signatures, cluster, write).

The code lives in lion1b/dedup/stage.py; this file keeps the command where the README puts it.
"""

from lion1b.dedup.stage import main

if __name__ == "__main__":
    main()
