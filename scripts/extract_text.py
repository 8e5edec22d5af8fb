"""Extract the main text of crawled pages.

The code lives in lion1b/extract/stage.py; this file keeps the command where the README puts it.
"""

from lion1b.extract.stage import main

if __name__ == "__main__":
    main()
