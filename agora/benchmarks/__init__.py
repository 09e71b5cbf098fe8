"""Benchmarks and load tools behind `agora bench …`: a throwaway PostgreSQL cluster, a real
server on loopback, the race and submit loads, and the consistency checks after them."""
