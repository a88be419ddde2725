//! Uop templates as LLVM IR built with inkwell.
