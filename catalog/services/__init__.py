"""Catalogue services, one module per kind of state: stock (the ledger), products, flash sales."""
