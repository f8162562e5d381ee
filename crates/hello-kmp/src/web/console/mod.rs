//! The officers' console: log-in, the queue of tips and a tip's page.

pub mod auth;
pub mod queue;
pub mod tip;
