"""What tests and benchmarks share: the app as a child process, sign-in, Chromium, a TCP proxy, scratch databases.

Imports `api` (the contract's names) and libraries only, never a test module or `bench`, so `bench` may import it.
"""
