"""Serve the built-in demo website on loopback.

The code lives in lion1b/demo/site.py; this file keeps the command where the README puts it.
"""

from lion1b.demo.site import main

if __name__ == "__main__":
    main()
