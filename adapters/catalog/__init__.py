"""Catalog files: the DVCQG procedure shape and motcua's local fields."""
