"""Engines run a pipeline's per-document segments; they never change what a stage does."""
