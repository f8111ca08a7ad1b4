"""Settings for bench/form_load.py only: sawt's own, with a bare Django view added beside the
real URLs (bench/form_load_urls.py), so the baseline runs in the same server, with the same
middleware, workers and database. Never used outside the benchmark."""

from sawt.config.settings import *  # noqa: F403

ROOT_URLCONF = "form_load_urls"
