"""The statutory clock in words: explained terms, the public term calculator."""
