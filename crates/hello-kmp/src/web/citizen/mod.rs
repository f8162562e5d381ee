//! Citizen pages: home, language switch, secret tip, follow-up, contacts and SOS. Nothing here
//! reads, stores or logs who the citizen is.

pub mod contacts;
pub mod follow_up;
pub mod home;
pub mod lang;
pub mod sos;
pub mod tips;
pub mod upload;
