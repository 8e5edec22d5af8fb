"""Replace personal data in text records with typed placeholders.

The code lives in lion1b/pii/stage.py; this file keeps the command where the README puts it.
"""

from lion1b.pii.stage import main

if __name__ == "__main__":
    main()
