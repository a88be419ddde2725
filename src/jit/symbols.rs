//! The embedder's table of runtime symbols (`cpjit_*` helpers and data) that
//! stencils reference by name.

use std::collections::HashMap;

/// Names of runtime symbols mapped to their addresses.
///
/// Functions must use the C calling convention. For data symbols such as
/// `cpjit_true`, the address is the symbol's value as stencils see it (for the
/// bool singletons, the tagged value).
#[derive(Clone, Debug, Default)]
pub struct SymbolTable {
    map: HashMap<String, u64>,
}

impl SymbolTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a symbol.
    pub fn insert(&mut self, name: impl Into<String>, address: u64) -> &mut Self {
        self.map.insert(name.into(), address);
        self
    }

    /// Adds or replaces a symbol, builder style.
    pub fn with(mut self, name: impl Into<String>, address: u64) -> Self {
        self.insert(name, address);
        self
    }

    /// Looks a symbol up.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.map.get(name).copied()
    }

    /// The name of a symbol at `address`, if any (the first in name order
    /// when several share it).
    pub fn name_of(&self, address: u64) -> Option<&str> {
        self.map
            .iter()
            .filter(|(_, &a)| a == address)
            .map(|(n, _)| n.as_str())
            .min()
    }
}
