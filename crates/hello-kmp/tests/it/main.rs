//! Integration tests through the real router. Every test runs twice: on a temporary SQLite file
//! and on a fresh PostgreSQL schema at 127.0.0.1:5432.

mod support;

mod api;
mod app_shell;
mod attachments;
mod audit;
mod citizen_pages;
mod cli;
mod console;
mod contacts;
mod evidence_kinds;
mod faq;
mod follow_up;
mod jurisdictions;
mod news;
mod officers;
mod privacy;
mod sos;
mod startup;
mod store;
mod tip_bad_input;
mod tip_submit;
mod uploads;
