"""Request counts, timings and memory of b24provision at growing portal sizes (``make bench``)."""
