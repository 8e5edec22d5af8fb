"""Count (and verify) the tokens in .seq files.

The code lives in lion1b/tokenize/count.py; this file keeps the command where the README puts it.
"""

from lion1b.tokenize.count import main

if __name__ == "__main__":
    main()
