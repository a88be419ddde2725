//! The reference Python-subset VM (see ARCHITECTURE.md).
