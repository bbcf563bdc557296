"""Cold starts (round 0) and query strategies (rounds >= 1): one class each, registered in
:data:`bucket_al.plugins.COLD_STARTS` and :data:`bucket_al.plugins.QUERIES`; the interface and the
contexts they read are in :mod:`bucket_al.strategies.base`."""
