"""Documents the system issues: codes, signatures and PDF rendering (models come later)."""
