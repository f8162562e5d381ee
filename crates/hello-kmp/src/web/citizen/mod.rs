//! Citizen pages: home, language switch, secret tip, follow-up, contacts, SOS, FAQ, news and
//! the offline page. Nothing here reads, stores or logs who the citizen is.

pub mod contacts;
pub mod faq;
pub mod follow_up;
pub mod home;
pub mod lang;
pub mod news;
pub mod offline;
pub mod sos;
pub mod tips;
pub mod upload;
