"""Categories and target groups with translatable labels."""
