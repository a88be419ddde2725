//! The `cpjit` command line.
fn main() {
    eprintln!("cpjit: not built yet");
    std::process::exit(2);
}
