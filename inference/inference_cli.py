"""Generate text from a fine-tuned model: streaming, sampling, batches, chat.

The code lives in lion1b/inference/cli.py; this file keeps the command where the README puts it.
"""

from lion1b.inference.cli import main

if __name__ == "__main__":
    main()
