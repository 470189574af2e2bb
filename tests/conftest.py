"""Suite-wide settings: property tests are derandomized (the same examples on every run, so
CI cannot fail by chance) and never fail on timing, only on wrong results."""

from hypothesis import HealthCheck, settings

settings.register_profile("prrt-rwe", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("prrt-rwe")
