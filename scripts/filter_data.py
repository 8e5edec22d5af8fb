"""Filter text records by language, quality, keywords and URL.

The code lives in lion1b/filter/stage.py; this file keeps the command where the README puts it.
"""

from lion1b.filter.stage import main

if __name__ == "__main__":
    main()
