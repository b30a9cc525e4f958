//! The agreement (stub).
