//! Storage errors, classified where they enter so that the web layer can answer 404, 409 or 503
//! without reading database text.

use std::sync::Arc;

/// What went wrong in the store, in terms a caller can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("no such row")]
    NotFound,
    #[error("a row with the same unique value exists")]
    Conflict,
    #[error("the database is busy, full, read-only or unreachable")]
    Unavailable,
    #[error("a sealed record could not be opened")]
    Sealing,
    #[error("database error")]
    Other(#[source] Arc<sqlx::Error>),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> StoreError {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::Database(db) if is_unavailable_code(db.code().as_deref()) => {
                StoreError::Unavailable
            }
            _ => StoreError::Other(Arc::new(err)),
        }
    }
}

impl From<crate::sealing::OpenError> for StoreError {
    fn from(_: crate::sealing::OpenError) -> StoreError {
        StoreError::Sealing
    }
}

/// SQLite: busy (5), locked (6), read-only (8), I/O (10), full (13). PostgreSQL: connection
/// (08…), insufficient resources (53…), operator intervention (57…), read-only transaction
/// (25006), and a deadlock (40P01) or serialization failure (40001), after which the same
/// request sent again goes through: the sender is told to try again shortly, not that
/// something broke.
fn is_unavailable_code(code: Option<&str>) -> bool {
    let Some(code) = code else { return false };
    matches!(
        code,
        "5" | "6" | "8" | "10" | "13" | "25006" | "40P01" | "40001"
    ) || code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57")
}

#[cfg(test)]
mod tests {
    use super::is_unavailable_code;

    #[test]
    fn a_deadlock_or_a_busy_database_asks_for_a_retry_and_a_bad_query_does_not() {
        for code in ["5", "13", "08006", "53100", "40P01", "40001"] {
            assert!(is_unavailable_code(Some(code)), "{code}");
        }
        for code in ["42601", "23502", "1"] {
            assert!(!is_unavailable_code(Some(code)), "{code}");
        }
        assert!(!is_unavailable_code(None));
    }
}
