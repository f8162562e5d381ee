//! Services: the rules of each domain. They know nothing of HTTP; handlers call one function
//! each and render what comes back.

pub mod access;
pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod directory;
pub mod faq;
pub mod jurisdictions;
pub mod nearest;
pub mod news;
pub mod officers;
pub mod reference;
pub mod routing;
pub mod sos;
pub mod tips;
pub mod uploads;

use crate::domain::InputError;
use crate::store::StoreError;

/// Why a service refused or failed. `Input` is the caller's to fix; the rest are not.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("input refused: {0}")]
    Input(#[from] InputError),
    #[error("not found")]
    NotFound,
    #[error("not allowed for this officer")]
    Forbidden,
    #[error(transparent)]
    Store(StoreError),
    #[error("unexpected failure")]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> ServiceError {
        match err {
            StoreError::NotFound => ServiceError::NotFound,
            other => ServiceError::Store(other),
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> ServiceError {
        ServiceError::from(StoreError::from(err))
    }
}
