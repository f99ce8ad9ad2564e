//! Compile-fail tests: mistakes in the derive attributes give clear errors at the right place.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
