//! Integration tests through the real router. Every test runs twice: on a temporary SQLite file
//! and on a fresh PostgreSQL schema at 127.0.0.1:5432.

mod support;

mod app_shell;
mod attachments;
mod audit;
mod citizen_pages;
mod cli;
mod console;
mod evidence_kinds;
mod follow_up;
mod officers;
mod privacy;
mod startup;
mod store;
mod tip_bad_input;
mod tip_submit;
mod uploads;
