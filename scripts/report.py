"""Build the run report (data/report/index.html + report.json) from the stages' outputs.

The code lives in lion1b/report/; this file keeps the command where the README puts it.
"""

from lion1b.report.cli import main

if __name__ == "__main__":
    main()
