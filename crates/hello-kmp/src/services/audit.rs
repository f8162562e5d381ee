//! The audit trail: who looked at or changed what, and when. Entries are written in the same
//! transaction as the change they record, so a change without its entry cannot exist.

use crate::store::{Conn, StoreError, now};

/// What happened, as a stable dotted name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    LogIn,
    LogInFailed,
    LogOut,
    TipView,
    TipStatus,
    TipAssign,
    TipReply,
    TipNote,
    AccountCreate,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::LogIn => "officer.login",
            Action::LogInFailed => "officer.login_failed",
            Action::LogOut => "officer.logout",
            Action::TipView => "tip.view",
            Action::TipStatus => "tip.status",
            Action::TipAssign => "tip.assign",
            Action::TipReply => "tip.reply",
            Action::TipNote => "tip.note",
            Action::AccountCreate => "account.create",
        }
    }
}

/// Appends one entry inside the caller's transaction. `detail` must never hold report text.
pub async fn record(
    conn: &mut Conn,
    officer_id: Option<i64>,
    action: Action,
    tip_id: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, officer_id, action, tip_id, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now())
    .bind(officer_id)
    .bind(action.name())
    .bind(tip_id)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
