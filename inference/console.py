"""What every command-line adapter shares: how a bad input ends (one line on stderr, exit 2)."""

from __future__ import annotations

import sys

import typer


def refuse(message: str) -> typer.Exit:
    """One line on stderr and exit code 2: how every bad input ends."""
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    return typer.Exit(code=2)
