//! Domain types, parsed at the edge: a handler that holds one of these holds valid input.

pub mod audio;
pub mod contact;
pub mod content;
pub mod digits;
pub mod heif;
pub mod input;
pub mod isobmff;
pub mod media;
pub mod officer;
pub mod ogg;
pub mod pdf;
pub mod receipt;
pub mod sos;
pub mod tip;

pub use input::InputError;
pub use receipt::Receipt;
