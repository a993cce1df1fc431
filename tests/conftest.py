"""Test configuration: hypothesis profiles.

``CI=true`` selects the ``ci`` profile (derandomized, so a CI run is reproducible);
``HYPOTHESIS_PROFILE=thorough`` runs many more examples locally.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE",
                                     "ci" if os.environ.get("CI") else "dev"))
