"""The original README's training command name: the same script as train_llama3_full_ft.py.

The code lives in lion1b/train/trainer.py; this file keeps the command where the README puts it.
"""

from lion1b.train.trainer import main

if __name__ == "__main__":
    main()
