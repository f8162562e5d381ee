//! Logging set-up. The policy (docs/logging.md) in one line: messages read on their own,
//! identifiers go in dotted fields, and nothing that could identify a citizen is ever logged:
//! no IP address, user agent, receipt, password, token, name, phone or NID number, or report text.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: human-readable lines on standard error.
pub fn init(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // A second call (as in tests) keeps the first subscriber.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Panics are logged with their place in the code only: a panic message could quote input.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(panic.location = %place, "a task panicked");
    }));
}
