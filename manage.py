#!/usr/bin/env python
from agora.cli import main

if __name__ == "__main__":
    main()
