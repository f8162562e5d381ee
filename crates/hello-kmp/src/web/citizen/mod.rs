//! Citizen pages: home, language switch, secret tip, follow-up and the offline page. Nothing here reads, stores or
//! logs who the citizen is.

pub mod follow_up;
pub mod home;
pub mod lang;
pub mod offline;
pub mod tips;
pub mod upload;
