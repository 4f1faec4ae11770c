#!/usr/bin/env python
from nexus.cli import main

if __name__ == "__main__":
    main()
