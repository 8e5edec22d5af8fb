"""Tokenize text records and pack them into fixed-length train/test .seq files.

The code lives in lion1b/tokenize/pack.py; this file keeps the command where the README puts it.
"""

from lion1b.tokenize.pack import main

if __name__ == "__main__":
    main()
