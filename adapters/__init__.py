"""Adapters: the technology behind the ports (files, packages, databases, national platforms)."""
