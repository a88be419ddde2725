//! Compile, harvest and write stencils.
