"""Whole documents staff drop into ``knowledge/articles/``: metadata, parsers, passages."""
