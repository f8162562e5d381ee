//! Hello KMP: the citizen-service platform of the Khulna Metropolitan Police.
//!
//! The layers, outermost first: [`web`] (HTTP handlers and pages), [`services`] (the rules),
//! [`store`] (SQL on SQLite or PostgreSQL), [`sealing`] (encryption at rest). [`domain`] holds the
//! parsed types every layer shares.

/// Prints a line for the operator. A closed pipe (`hello-kmp user list | head -1`) ends the
/// output quietly instead of panicking as `println!` does.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod app;
pub mod blobs;
pub mod cli;
pub mod config;
pub mod domain;
pub mod i18n;
pub mod logging;
pub mod sealing;
pub mod server;
pub mod services;
pub mod store;
pub mod throttle;
pub mod web;
