//! Parsers for the text other cpjit tools print: `cpjit run --stats`,
//! `cpjit stencils list` and the emission benchmark.
//!
//! The formats are owned by other parts of the project and still moving, so
//! these parsers are tolerant: they read `key: value [unit]` lines (and
//! `key: name N, name N` groups) and find values by words in their keys.

use std::collections::BTreeMap;

/// Lower-cases `s` and turns each run of non-alphanumeric characters into
/// one `_`, trimming `_` at both ends: `"Time to first executor"` →
/// `"time_to_first_executor"`.
pub fn normalize_key(s: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for ch in s.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(ch);
        } else {
            gap = true;
        }
    }
    out
}

/// The factor that converts a unit to seconds, bytes or a fraction.
fn unit_factor(unit: &str) -> Option<f64> {
    Some(match unit.to_lowercase().as_str() {
        "ns" => 1e-9,
        "us" | "µs" | "μs" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "b" | "byte" | "bytes" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "%" => 0.01,
        _ => return None,
    })
}

/// Splits a token like `12.5ms` into its number and the unit glued to it.
fn number_prefix(token: &str) -> Option<(f64, &str)> {
    let end = token
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit() || c == '.' || c == '_' || (i == 0 && (c == '-' || c == '+')))
        })
        .map(|(i, _)| i)
        .unwrap_or(token.len());
    let digits: String = token[..end].chars().filter(|&c| c != '_').collect();
    if !digits.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let value: f64 = digits.parse().ok()?;
    Some((value, &token[end..]))
}

/// Parses a quantity at the start of `text`: a number, optionally followed
/// (glued or after a space) by a unit. Times become seconds, sizes bytes and
/// percentages fractions. `"12.5 ms"` → 0.0125, `"4 KiB"` → 4096.
pub fn parse_quantity(text: &str) -> Option<f64> {
    let mut tokens = text.split_whitespace();
    let (value, glued) = number_prefix(tokens.next()?)?;
    let glued = glued.trim_end_matches([',', ';', ')']);
    if !glued.is_empty() {
        return Some(value * unit_factor(glued).unwrap_or(1.0));
    }
    let next = tokens
        .next()
        .map(|t| t.trim_end_matches([',', ';', ')', '(']))
        .unwrap_or("");
    Some(value * unit_factor(next).unwrap_or(1.0))
}

/// Parses one `name N [unit]` or `N [unit] name` group into a name and a value.
fn parse_group(part: &str) -> Option<(String, f64)> {
    let words: Vec<&str> = part.split_whitespace().collect();
    let at = words.iter().position(|w| number_prefix(w).is_some())?;
    let value = parse_quantity(&words[at..].join(" "))?;
    let unit_glued = number_prefix(words[at]).is_some_and(|(_, u)| !u.is_empty());
    let skip_unit = !unit_glued
        && words
            .get(at + 1)
            .is_some_and(|u| unit_factor(u.trim_end_matches([',', ';'])).is_some());
    let name: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != at && !(skip_unit && i == at + 1))
        .map(|(_, w)| *w)
        .collect();
    Some((normalize_key(&name.join(" ")), value))
}

/// Parses `--stats` text into normalised keys and values.
///
/// Understands, one per line:
/// * `key: value [unit]`, also with `=` instead of `:`;
/// * `key: name N, name N, ...` giving `key_name` entries;
/// * `N [unit] words` or `words N [unit]` without a separator.
///
/// Lines that hold no number are ignored. A later duplicate key wins.
pub fn parse_stats(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let split = line.find([':', '=']);
        match split {
            Some(i) => {
                let key = normalize_key(&line[..i]);
                let rest = line[i + 1..].trim();
                let grouped = rest.contains([',', ';']);
                if let Some(v) = parse_quantity(rest).filter(|_| !grouped) {
                    if !key.is_empty() {
                        out.insert(key, v);
                    }
                    continue;
                }
                for part in rest.split([',', ';']) {
                    if let Some((name, v)) = parse_group(part) {
                        let full = match (key.is_empty(), name.is_empty()) {
                            (true, _) => name,
                            (false, true) => key.clone(),
                            (false, false) => format!("{key}_{name}"),
                        };
                        if !full.is_empty() {
                            out.insert(full, v);
                        }
                    }
                }
            }
            None => {
                if let Some((name, v)) = parse_group(line) {
                    if !name.is_empty() {
                        out.insert(name, v);
                    }
                }
            }
        }
    }
    out
}

/// A rule for finding a value among parsed stats by words in its key.
#[derive(Clone, Copy, Debug)]
pub struct KeyRule {
    /// Every one of these must occur in the key.
    pub all: &'static [&'static str],
    /// At least one of these must occur (ignored when empty).
    pub any: &'static [&'static str],
    /// None of these may occur.
    pub none: &'static [&'static str],
}

impl KeyRule {
    /// True when `key` satisfies the rule.
    pub fn matches(&self, key: &str) -> bool {
        self.all.iter().all(|w| key.contains(w))
            && (self.any.is_empty() || self.any.iter().any(|w| key.contains(w)))
            && !self.none.iter().any(|w| key.contains(w))
    }

    /// The value of the first key (in key order) that satisfies the rule.
    pub fn find(&self, values: &BTreeMap<String, f64>) -> Option<f64> {
        values
            .iter()
            .find(|(k, _)| self.matches(k))
            .map(|(_, v)| *v)
    }

    /// A human description, used in "not available" reasons.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.all.is_empty() {
            parts.push(self.all.join(" and "));
        }
        if !self.any.is_empty() {
            parts.push(format!("one of {}", self.any.join("/")));
        }
        format!("key containing {}", parts.join(" and "))
    }
}

/// Time to the first executor, in seconds.
pub const FIRST_EXECUTOR: KeyRule = KeyRule {
    all: &["first", "executor"],
    any: &[],
    none: &[],
};
/// Total time spent in the JIT (projection, optimisation, emission), seconds.
pub const JIT_TIME: KeyRule = KeyRule {
    all: &["time"],
    any: &["jit", "compil", "emit"],
    none: &["first", "per"],
};
/// Bytes of machine code emitted.
pub const EMITTED_BYTES: KeyRule = KeyRule {
    all: &[],
    any: &["emitted", "code_bytes"],
    none: &["alloc", "time", "per"],
};
/// Bytes of JIT memory allocated (mapped for code and data).
pub const ALLOCATED_BYTES: KeyRule = KeyRule {
    all: &["alloc"],
    any: &[],
    none: &["executor", "time", "per", "ratio"],
};
/// Executors alive at exit.
pub const EXECUTORS_LIVE: KeyRule = KeyRule {
    all: &["executor"],
    any: &["live", "alive"],
    none: &[],
};
/// Executors created over the run.
pub const EXECUTORS_CREATED: KeyRule = KeyRule {
    all: &["executor"],
    any: &["created", "compiled", "installed"],
    none: &["time", "first"],
};

/// Totals of a `cpjit stencils list` table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StencilTable {
    /// Rows (stencils) read.
    pub rows: u64,
    /// Sum of the code column.
    pub code: u64,
    /// Sum of the data column (0 when there is none).
    pub data: u64,
}

/// Reads a `cpjit stencils list` table: a header line naming a `code`
/// column (and optionally `data`), then one row per stencil. Rows whose
/// first cell is `total` are skipped so the sum is not doubled. Returns
/// `None` when no header or no numeric row is found.
pub fn parse_stencil_list(text: &str) -> Option<StencilTable> {
    let mut lines = text.lines();
    let header = lines.by_ref().find(|l| {
        l.split_whitespace()
            .any(|w| normalize_key(w).starts_with("code"))
    })?;
    let cols: Vec<String> = header.split_whitespace().map(normalize_key).collect();
    let code_col = cols.iter().position(|c| c.starts_with("code"))?;
    let data_col = cols.iter().position(|c| c.starts_with("data"));
    let mut table = StencilTable::default();
    for line in lines {
        let cells: Vec<&str> = line.split_whitespace().collect();
        if cells.len() < cols.len()
            || cells
                .first()
                .is_some_and(|c| c.to_lowercase().starts_with("total"))
        {
            continue;
        }
        // Tolerate a row label with spaces: align from the right.
        let shift = cells.len() - cols.len();
        let num = |col: usize| -> Option<u64> {
            cells
                .get(col + shift)?
                .trim_end_matches(['B', 'b'])
                .replace('_', "")
                .parse()
                .ok()
        };
        let Some(code) = num(code_col) else { continue };
        table.rows += 1;
        table.code += code;
        table.data += data_col.and_then(num).unwrap_or(0);
    }
    (table.rows > 0).then_some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules_describe_themselves_readably() {
        assert_eq!(
            FIRST_EXECUTOR.describe(),
            "key containing first and executor"
        );
        assert_eq!(
            EMITTED_BYTES.describe(),
            "key containing one of emitted/code_bytes"
        );
    }

    #[test]
    fn normalizes_keys() {
        assert_eq!(
            normalize_key("Time to first executor"),
            "time_to_first_executor"
        );
        assert_eq!(normalize_key("  JIT code (bytes) "), "jit_code_bytes");
        assert_eq!(normalize_key("--"), "");
    }

    #[test]
    fn parses_quantities_with_units() {
        assert_eq!(parse_quantity("12.5 ms"), Some(0.0125));
        assert_eq!(parse_quantity("3s"), Some(3.0));
        assert_eq!(parse_quantity("4 KiB"), Some(4096.0));
        assert_eq!(parse_quantity("1_024 bytes"), Some(1024.0));
        assert_eq!(parse_quantity("25%"), Some(0.25));
        assert_eq!(parse_quantity("7 executors"), Some(7.0));
        assert_eq!(parse_quantity("none"), None);
        assert_eq!(parse_quantity(""), None);
    }

    #[test]
    fn parses_plain_key_value_lines() {
        let v = parse_stats(
            "time to first executor: 1.5 ms\nJIT code bytes: 4096\nexecutors live = 3\nno numbers here\n",
        );
        assert_eq!(v.get("time_to_first_executor"), Some(&0.0015));
        assert_eq!(v.get("jit_code_bytes"), Some(&4096.0));
        assert_eq!(v.get("executors_live"), Some(&3.0));
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn parses_grouped_lines() {
        let v = parse_stats(
            "executors: created 5, invalidated 1, freed 4\nuops executed: 12 jit; 3 uops\n",
        );
        assert_eq!(v.get("executors_created"), Some(&5.0));
        assert_eq!(v.get("executors_invalidated"), Some(&1.0));
        assert_eq!(v.get("executors_freed"), Some(&4.0));
        assert_eq!(v.get("uops_executed_jit"), Some(&12.0));
        assert_eq!(v.get("uops_executed_uops"), Some(&3.0));
    }

    #[test]
    fn parses_lines_without_separator() {
        let v = parse_stats("  42 traces projected\nemitted 2 KiB of code\n");
        assert_eq!(v.get("traces_projected"), Some(&42.0));
        assert_eq!(v.get("emitted_of_code"), Some(&2048.0));
    }

    #[test]
    fn key_rules_find_the_intended_values() {
        let v = parse_stats(
            "jit: 12 ms compiling\ntime spent compiling: 4 ms\ntime to first executor: 2 ms\njit memory allocated: 8 KiB\ncode bytes emitted: 6144\nexecutors: created 7, live 2\n",
        );
        assert_eq!(FIRST_EXECUTOR.find(&v), Some(0.002));
        assert_eq!(JIT_TIME.find(&v), Some(0.004));
        assert_eq!(ALLOCATED_BYTES.find(&v), Some(8192.0));
        assert_eq!(EMITTED_BYTES.find(&v), Some(6144.0));
        assert_eq!(EXECUTORS_LIVE.find(&v), Some(2.0));
        assert_eq!(EXECUTORS_CREATED.find(&v), Some(7.0));
        assert_eq!(EXECUTORS_LIVE.find(&parse_stats("nothing: here\n")), None);
    }

    #[test]
    fn sums_a_stencil_table() {
        let text = "uop              code  data  holes\n_LOAD_FAST         64    0      2\n_BINARY_OP_ADD_INT 120  16     5\ntotal             184   16     7\n";
        let t = parse_stencil_list(text).unwrap();
        assert_eq!(
            t,
            StencilTable {
                rows: 2,
                code: 184,
                data: 16
            }
        );
    }

    #[test]
    fn stencil_table_without_header_or_rows_is_none() {
        assert_eq!(parse_stencil_list("cpjit: unknown command\n"), None);
        assert_eq!(parse_stencil_list("uop code data\n"), None);
    }
}
