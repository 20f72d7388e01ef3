"""Project-wide test fixtures: named personas and reference data."""

pytest_plugins = ["testsupport.simulator"]
