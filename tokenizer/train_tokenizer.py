"""Train a SentencePiece tokenizer on the scrubbed text.

The code lives in lion1b/tokenize/train_tokenizer.py; this file keeps the command where the README puts it.
"""

from lion1b.tokenize.train_tokenizer import main

if __name__ == "__main__":
    main()
