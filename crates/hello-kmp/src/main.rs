//! `hello-kmp`: the one binary. Parses the command line and hands over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = hello_kmp::cli::Cli::parse();
    match hello_kmp::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // Start-up errors name the setting or file at fault; they carry no personal data.
            eprintln!("hello-kmp: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
