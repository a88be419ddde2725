//! Generates the host's stencils into OUT_DIR (see build-support).
fn main() {}
