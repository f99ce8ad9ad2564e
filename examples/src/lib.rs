//! Example programs: `demo` (see `src/bin/demo.rs`).
