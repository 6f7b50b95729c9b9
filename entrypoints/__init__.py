"""Entrypoints: the composition root, the CLI and the HTTP API."""
