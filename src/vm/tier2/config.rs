//! Tier-2 settings: the execution mode and the tunables, with their
//! documented defaults and environment variables.

/// How hot loops run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Tier 1 only: no traces.
    Interp,
    /// Traces run by the uop interpreter (the reference for the JIT).
    Uops,
    /// Traces compiled to native code by the copy-and-patch JIT.
    #[default]
    Jit,
}

/// Tier-2 configuration. Every tunable has a default, an environment
/// variable and a `cpjit run` flag (the flag wins).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Execution mode.
    pub mode: Mode,
    /// Back-edge executions before a loop is traced
    /// (`CPJIT_BACKEDGE_THRESHOLD`, default [`Config::DEFAULT_BACKEDGE_THRESHOLD`]).
    pub backedge_threshold: u32,
    /// Calls of a Python function (through `CALL_PY_EXACT_ARGS`) before
    /// it gets a function-entry trace (`CPJIT_CALL_THRESHOLD`, default
    /// [`Config::DEFAULT_CALL_THRESHOLD`]; recursive code such as `fib`
    /// only runs native code that way).
    pub call_threshold: u32,
    /// Cold exits taken before a side trace is built
    /// (`CPJIT_SIDE_EXIT_THRESHOLD`, default [`Config::DEFAULT_SIDE_EXIT_THRESHOLD`]).
    pub side_exit_threshold: u32,
    /// Most uops in a trace's body (`CPJIT_MAX_TRACE_LENGTH`, default
    /// [`Config::DEFAULT_MAX_TRACE_LENGTH`]).
    pub max_trace_length: usize,
    /// Bytes of executable memory the JIT may use (`CPJIT_JIT_MEMORY_LIMIT`,
    /// default [`Config::DEFAULT_JIT_MEMORY_LIMIT`]); when it is full, loops
    /// stay in the interpreter.
    pub jit_memory_limit: usize,
    /// Longest chain of side traces grown from one root trace
    /// (`CPJIT_MAX_SIDE_CHAIN`, default [`Config::DEFAULT_MAX_SIDE_CHAIN`]).
    pub max_side_chain: u32,
    /// Times a global (or builtin) may be rebound under traces that baked
    /// its value in before it is only guarded, no longer baked
    /// (`CPJIT_GLOBAL_REBIND_LIMIT`, default
    /// [`Config::DEFAULT_GLOBAL_REBIND_LIMIT`]; 0 never bakes globals).
    pub global_rebind_limit: u32,
    /// Run the optimizer pass (`CPJIT_OPTIMIZE=0` turns it off).
    pub optimize: bool,
    /// Print statistics at exit (`--stats`, `CPJIT_STATS=1`).
    pub stats: bool,
    /// Dump every trace (`--dump-traces FILE`, `CPJIT_DUMP_TRACES=1` for
    /// stderr or `=FILE`); see [`super::dump`].
    pub dump_traces: Option<super::dump::DumpTarget>,
}

impl Config {
    /// Default back-edge threshold.
    pub const DEFAULT_BACKEDGE_THRESHOLD: u32 = 16;
    /// Default call threshold.
    pub const DEFAULT_CALL_THRESHOLD: u32 = 1000;
    /// Default side-exit threshold.
    pub const DEFAULT_SIDE_EXIT_THRESHOLD: u32 = 16;
    /// Default maximum trace length (uops in the body).
    pub const DEFAULT_MAX_TRACE_LENGTH: usize = 800;
    /// Default JIT memory limit: 64 MiB.
    pub const DEFAULT_JIT_MEMORY_LIMIT: usize = 64 << 20;
    /// Default longest side-trace chain.
    pub const DEFAULT_MAX_SIDE_CHAIN: u32 = 64;
    /// Default [`Config::global_rebind_limit`].
    pub const DEFAULT_GLOBAL_REBIND_LIMIT: u32 = 8;

    /// The defaults, overridden by the environment variables that are set
    /// and parse. Returns an error naming a variable that does not parse.
    pub fn from_env() -> Result<Config, String> {
        let mut c = Config::default();
        fn var<T: std::str::FromStr>(name: &str, into: &mut T) -> Result<(), String> {
            if let Ok(s) = std::env::var(name) {
                if !s.is_empty() {
                    *into =
                        parse_size(&s).ok_or_else(|| format!("{name}={s:?} is not a number"))?;
                }
            }
            Ok(())
        }
        var("CPJIT_BACKEDGE_THRESHOLD", &mut c.backedge_threshold)?;
        var("CPJIT_CALL_THRESHOLD", &mut c.call_threshold)?;
        var("CPJIT_SIDE_EXIT_THRESHOLD", &mut c.side_exit_threshold)?;
        var("CPJIT_MAX_TRACE_LENGTH", &mut c.max_trace_length)?;
        var("CPJIT_JIT_MEMORY_LIMIT", &mut c.jit_memory_limit)?;
        var("CPJIT_MAX_SIDE_CHAIN", &mut c.max_side_chain)?;
        var("CPJIT_GLOBAL_REBIND_LIMIT", &mut c.global_rebind_limit)?;
        if let Ok(s) = std::env::var("CPJIT_OPTIMIZE") {
            c.optimize = s != "0";
        }
        if let Ok(s) = std::env::var("CPJIT_STATS") {
            c.stats = !s.is_empty() && s != "0";
        }
        if let Ok(s) = std::env::var("CPJIT_DUMP_TRACES") {
            c.dump_traces = super::dump::DumpTarget::from_env_value(&s);
        }
        Ok(c)
    }
}

/// Parses a number with an optional `k`/`m`/`g` (binary) suffix.
pub fn parse_size<T: std::str::FromStr>(s: &str) -> Option<T> {
    let s = s.trim();
    let (digits, shift) = match s.chars().last()?.to_ascii_lowercase() {
        'k' => (&s[..s.len() - 1], 10),
        'm' => (&s[..s.len() - 1], 20),
        'g' => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    let n: u64 = digits.parse().ok()?;
    let n = n.checked_shl(shift)?;
    n.to_string().parse().ok()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::default(),
            backedge_threshold: Self::DEFAULT_BACKEDGE_THRESHOLD,
            call_threshold: Self::DEFAULT_CALL_THRESHOLD,
            side_exit_threshold: Self::DEFAULT_SIDE_EXIT_THRESHOLD,
            max_trace_length: Self::DEFAULT_MAX_TRACE_LENGTH,
            jit_memory_limit: Self::DEFAULT_JIT_MEMORY_LIMIT,
            max_side_chain: Self::DEFAULT_MAX_SIDE_CHAIN,
            global_rebind_limit: Self::DEFAULT_GLOBAL_REBIND_LIMIT,
            optimize: true,
            stats: false,
            dump_traces: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size::<usize>("4k"), Some(4096));
        assert_eq!(parse_size::<usize>("2M"), Some(2 << 20));
        assert_eq!(parse_size::<u32>("16"), Some(16));
        assert_eq!(parse_size::<u32>("x"), None);
        assert_eq!(parse_size::<u32>("8g"), None);
    }
}
