"""The demo's side of metrics, run by `manage.py seed_demo` after `surveys.demo`: `reference` reads the
published figures the demo reproduces, `figures` imports, recomputes and publishes them."""
