"""Receivers the catalogue connects at start-up (see CatalogConfig.ready)."""
