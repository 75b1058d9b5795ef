"""Durable state shared by the CLI, the service and training: documents, extraction history,
labels, Claude spend, and the originals they point at (see the modules of this package)."""
