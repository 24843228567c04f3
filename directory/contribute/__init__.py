"""Contributors: posting and editing listings, the review queue, organization members."""
