"""``python -m basket``: the command-line interface."""

from basket.cli import main

if __name__ == "__main__":
    main()
