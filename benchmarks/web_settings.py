"""Settings for the web benchmark only: the production settings with the benchmark URLconf.

``benchmarks.web_urls`` adds one minimal view (the reference) beside every real URL, so the
production URLconf has no extra view.
"""

from oversight.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.web_urls"
