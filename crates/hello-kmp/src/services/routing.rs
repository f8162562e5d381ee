//! Routing rules: which desk a new tip lands on, and which desk gets a copy, by category and by
//! the thana the tipster named. The most specific rule wins (category and thana, then category,
//! then thana, then the rule for everything). Rules are read inside the tip's own insert, so
//! every server routes by the same rules the moment an administrator changes them.

use sqlx::Row;

use crate::domain::InputError;
use crate::domain::tip::Category;
use crate::services::ServiceError;
use crate::services::access;
use crate::services::accounts::Officer;
use crate::services::audit::{self, Action};
use crate::services::reference::Reference;
use crate::store::{Conn, Store, StoreError, now};

/// Matches every category or every thana.
pub const ANY: &str = "*";
/// As a rule's lead: the thana the tipster named.
pub const THANA_OF_PLACE: &str = "@thana";
/// Where a tip goes when its rule says "the thana of the place" and no thana was named.
pub const NO_THANA_DESK: &str = "control_room";

/// A routing rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: i64,
    /// A category key or [`ANY`].
    pub category: String,
    /// A thana key or [`ANY`].
    pub thana: String,
    /// A place key or [`THANA_OF_PLACE`].
    pub lead: String,
    /// A place key, or empty for no copy.
    pub copy_to: String,
}

/// The rules KMP starts with: militancy and terrorism to the Detective Branch, drugs to the
/// thana with a copy to the Detective Branch, everything else to the thana.
const DEFAULTS: [(&str, &str, &str); 4] = [
    (ANY, THANA_OF_PLACE, ""),
    ("militancy", "detective_branch", ""),
    ("terrorism", "detective_branch", ""),
    ("drugs", THANA_OF_PLACE, "detective_branch"),
];

/// Writes the default rules when there are none (a new database).
pub async fn seed_defaults(conn: &mut Conn) -> Result<(), StoreError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM routing_rules")
        .fetch_one(&mut *conn)
        .await?;
    if count > 0 {
        return Ok(());
    }
    for (category, lead, copy_to) in DEFAULTS {
        sqlx::query(
            "INSERT INTO routing_rules (category, thana_key, lead, copy_to, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(category)
        .bind(ANY)
        .bind(lead)
        .bind(copy_to)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The best rule for a category and thana, as a subquery over `$cat` and `$thana` (the
/// statement's own parameter numbers), answering the column named `column`.
pub fn desk_subquery(column: &str, category: &str, thana: &str) -> String {
    let lead = if column == "lead" {
        format!(
            "CASE WHEN r.lead = '{THANA_OF_PLACE}' THEN COALESCE({thana}, '{NO_THANA_DESK}') ELSE r.lead END"
        )
    } else {
        "NULLIF(r.copy_to, '')".to_string()
    };
    format!(
        "(SELECT {lead} FROM routing_rules r \
         WHERE (r.category = {category} OR r.category = '{ANY}') \
         AND (r.thana_key = COALESCE({thana}, '') OR r.thana_key = '{ANY}') \
         ORDER BY (CASE WHEN r.category = '{ANY}' THEN 0 ELSE 2 END) \
         + (CASE WHEN r.thana_key = '{ANY}' THEN 0 ELSE 1 END) DESC LIMIT 1)"
    )
}

/// Every rule, the rule for everything first.
pub async fn rules(store: &Store, officer: &Officer) -> Result<Vec<Rule>, ServiceError> {
    access::administers(officer)?;
    let rows = sqlx::query(
        "SELECT id, category, thana_key, lead, copy_to FROM routing_rules \
         ORDER BY CASE WHEN category = '*' THEN 0 ELSE 1 END, category, thana_key",
    )
    .fetch_all(store.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(Rule {
                id: r.try_get("id")?,
                category: r.try_get("category")?,
                thana: r.try_get("thana_key")?,
                lead: r.try_get("lead")?,
                copy_to: r.try_get("copy_to")?,
            })
        })
        .collect::<Result<_, StoreError>>()?)
}

/// A rule as an administrator typed it, checked.
#[derive(Debug, Clone)]
pub struct RuleForm {
    pub category: String,
    pub thana: String,
    pub lead: String,
    pub copy_to: String,
}

impl RuleForm {
    fn parse(&self, reference: &Reference) -> Result<RuleForm, InputError> {
        let category = self.category.trim();
        if category != ANY && Category::parse(category).is_err() {
            return Err(InputError::RuleMalformed);
        }
        let thana = self.thana.trim();
        if thana != ANY && reference.thana(thana).is_none() {
            return Err(InputError::RuleMalformed);
        }
        // A desk is a thana or a unit: headquarters works no tip itself.
        let desk = |key: &str| reference.place(key).is_some_and(|p| p.kind != "hq");
        let lead = self.lead.trim();
        if lead != THANA_OF_PLACE && !desk(lead) {
            return Err(InputError::RuleMalformed);
        }
        let copy_to = self.copy_to.trim();
        if !copy_to.is_empty() && (!desk(copy_to) || copy_to == lead) {
            return Err(InputError::RuleMalformed);
        }
        Ok(RuleForm {
            category: category.into(),
            thana: thana.into(),
            lead: lead.into(),
            copy_to: copy_to.into(),
        })
    }
}

/// Adds a rule, or replaces the one for the same category and thana.
pub async fn set_rule(
    store: &Store,
    reference: &Reference,
    officer: &Officer,
    form: &RuleForm,
) -> Result<(), ServiceError> {
    access::administers(officer)?;
    let rule = form.parse(reference)?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO routing_rules (category, thana_key, lead, copy_to, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (category, thana_key) \
                     DO UPDATE SET lead = $3, copy_to = $4, updated_at = $5",
                )
                .bind(&rule.category)
                .bind(&rule.thana)
                .bind(&rule.lead)
                .bind(&rule.copy_to)
                .bind(now())
                .execute(&mut *conn)
                .await?;
                let detail = format!(
                    "{} / {} -> {} (copy {})",
                    rule.category, rule.thana, rule.lead, rule.copy_to
                );
                audit::record(conn, Some(actor), Action::RoutingChange, None, &detail).await
            })
        })
        .await?;
    Ok(())
}

/// Removes a rule; the rule for everything stays, so that every tip has a desk.
pub async fn remove_rule(store: &Store, officer: &Officer, id: i64) -> Result<(), ServiceError> {
    access::administers(officer)?;
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let row =
                    sqlx::query("SELECT category, thana_key FROM routing_rules WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some(row) = row else {
                    return Ok(Err(ServiceError::NotFound));
                };
                let (category, thana): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                if category == ANY && thana == ANY {
                    return Ok(Err(InputError::DefaultRuleKept.into()));
                }
                sqlx::query("DELETE FROM routing_rules WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                let detail = format!("removed {category} / {thana}");
                audit::record(conn, Some(actor), Action::RoutingChange, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}
