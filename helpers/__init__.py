"""Shared statistics for the rescue-stenting review. See helpers/README.md for the module map."""
