"""What went wrong (failures by kind) and how each source is doing (counters, errors, runs)."""
