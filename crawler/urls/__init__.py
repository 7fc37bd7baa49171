"""One spelling per article: canonical URLs, registrable domains, and request fingerprints."""
