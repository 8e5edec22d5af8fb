"""The seed's inference entry point, kept for old commands: it runs inference/inference_cli.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from inference.inference_cli import main

if __name__ == "__main__":
    main()
