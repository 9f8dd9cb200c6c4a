"""Settings for bench/dashboard.py: production settings, with static files collected into a throwaway folder."""

import os

from coalition.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
