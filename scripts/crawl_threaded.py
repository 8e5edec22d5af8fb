"""Crawl seed URLs politely into raw page records (one part of the hosts).

The code lives in the lion1b/crawl/ package (docs/crawl.md); this file keeps the command where the README puts it.
"""

from lion1b.crawl.crawler import main

if __name__ == "__main__":
    main()
