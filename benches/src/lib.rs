//! Benchmark support: the generator of the benchmark trail.
