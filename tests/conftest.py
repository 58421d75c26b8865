"""Suite-wide pytest configuration."""

from __future__ import annotations

# tests/data holds fixtures and the scripts that regenerate them (run by hand, from an
# anchor venv); they are not tests.
collect_ignore_glob = ["data/*"]
