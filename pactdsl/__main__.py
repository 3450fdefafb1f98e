"""``python -m pactdsl``: the same command line as ``pactdsl``."""

from pactdsl._cli import main

if __name__ == "__main__":
    main()
