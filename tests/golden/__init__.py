"""Golden answers of every read (API and UI JSON twins), pinned byte for byte (test_golden.py)."""
