"""Fetch-time behaviour: what happens to a request and its response around the download.

Conditional GET from stored validators, the incremental skip of stored articles, ``Retry-After``
honoured per host, and refusing binary bodies / decoding undeclared charsets.
"""
