"""Example listings built from the reports' real places, always marked as examples."""
