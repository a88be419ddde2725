//! The reference Python-subset VM (see ARCHITECTURE.md).
pub mod fmt;
pub mod num;
