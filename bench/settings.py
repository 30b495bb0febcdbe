"""The project's settings, with the benchmark's URLs on top (the bare view `bench/ok`)."""

from communeos.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
