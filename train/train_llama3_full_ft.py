"""DeepSpeed ZeRO full fine-tune of a Llama-style model on packed .seq data.

The code lives in lion1b/train/trainer.py; this file keeps the command where the README puts it.
"""

from lion1b.train.trainer import main

if __name__ == "__main__":
    main()
