"""Regions, authorities, categories, routing rules and the working-day calendar."""
