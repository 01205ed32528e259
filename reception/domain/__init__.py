"""Pure rules of the product: no Flask, no database."""
