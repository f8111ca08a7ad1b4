"""Test support shared by every app's tests: factory_boy factories (factories.py).

Only tests, the browser tests and bench/ import this package; no production module may (the
app-layer test in sawt/core/tests/test_project.py fails if one does), so it can depend on every
app without tying them together.
"""
