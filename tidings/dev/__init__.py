"""Developer and test tooling that ships with the package (not used by the product at run time)."""
