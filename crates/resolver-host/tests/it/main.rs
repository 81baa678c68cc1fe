//! resolver-host against real plugins built from this workspace: the reference directory
//! plugin (compared with the built-in resolver), and fixtures that panic, abort, hang or
//! speak another ABI.

mod hostile_responses;
mod library;
mod process;
mod support;
