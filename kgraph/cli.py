"""The `kg` command line: one group, each sub-command a thin layer over a module."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="kgraph")
def main() -> None:
    """kgraph: a knowledge graph of Vietnamese legal and administrative documents."""
