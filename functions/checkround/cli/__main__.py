"""``python -m checkround.cli``: the same command as the ``checkround`` console script."""

from checkround.cli import main

main()
