"""Remove a source's documents (--url, --host, --list) from the shards and re-pack the affected .seq files.

The code lives in lion1b/export/takedown.py; this file keeps the command where the README puts it.
"""

from lion1b.export.takedown import main

if __name__ == "__main__":
    main()
