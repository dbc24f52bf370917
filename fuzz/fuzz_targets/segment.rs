//! Fuzz target `segment`: meeting records (`--records`) split into turns.
//! The body is shared with the regression test (tests/fuzz_regressions.rs),
//! so every crash kept there is replayed by `cargo test`.
#![no_main]

#[path = "../../tests/fuzz/bodies.rs"]
mod bodies;

libfuzzer_sys::fuzz_target!(|data: &[u8]| bodies::segment(data));
