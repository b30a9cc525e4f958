//! placeholder
pub mod agreement;
pub mod expr;
