//! The officers' console: log-in, the queue, a tip's page, accounts, routing rules, the audit
//! log, the contacts directory, the SOS board, the FAQ and the news. Its routes are one table,
//! [`routes`], which the router mounts and the authorization matrix test walks: a console route
//! without a rule in that test fails it.

pub mod account;
pub mod audit;
pub mod auth;
pub mod contacts;
pub mod faq;
pub mod news;
pub mod officers;
pub mod queue;
pub mod routing;
pub mod sos;
pub mod tip;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::app::AppState;

/// A number in a console path (`/console/faq/{entry}`); anything else is a page that is not there.
fn parse_id(id: &str) -> Result<i64, crate::web::error::WebError> {
    id.trim()
        .parse()
        .map_err(|_| crate::web::error::WebError::NotFound)
}

/// The box an editor ticks to confirm a deletion.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeleteInput {
    confirm: String,
}

impl DeleteInput {
    fn confirmed(&self) -> bool {
        self.confirm == "yes"
    }
}

/// One console route: method, path, handler.
pub struct ConsoleRoute {
    pub method: Method,
    pub path: &'static str,
    pub handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, handler: MethodRouter<AppState>) -> ConsoleRoute {
    ConsoleRoute {
        method,
        path,
        handler,
    }
}

/// Every console route. Who may use each is decided in the services they call.
pub fn routes() -> Vec<ConsoleRoute> {
    use Method as M;
    vec![
        route(M::GET, "/console/login", get(auth::show_login)),
        route(M::POST, "/console/login", post(auth::log_in)),
        route(M::GET, "/console/login/code", get(auth::show_code)),
        route(M::POST, "/console/login/code", post(auth::enter_code)),
        route(
            M::GET,
            "/console/login/password",
            get(auth::show_new_password),
        ),
        route(
            M::POST,
            "/console/login/password",
            post(auth::choose_password),
        ),
        route(M::GET, "/console/login/enrol", get(auth::show_enrol)),
        route(
            M::POST,
            "/console/login/enrol",
            post(auth::finish_enrolment),
        ),
        route(M::POST, "/console/logout", post(auth::log_out)),
        route(M::GET, "/console", get(queue::show_queue)),
        route(M::GET, "/console/tips/{reference}", get(tip::show_tip)),
        route(
            M::POST,
            "/console/tips/{reference}/status",
            post(tip::change_status),
        ),
        route(
            M::POST,
            "/console/tips/{reference}/assign",
            post(tip::assign_tip),
        ),
        route(
            M::POST,
            "/console/tips/{reference}/transfer",
            post(tip::transfer_tip),
        ),
        route(
            M::POST,
            "/console/tips/{reference}/duplicate",
            post(tip::mark_duplicate),
        ),
        route(
            M::POST,
            "/console/tips/{reference}/priority",
            post(tip::set_priority),
        ),
        route(
            M::POST,
            "/console/tips/{reference}/due",
            post(tip::set_due_date),
        ),
        route(
            M::POST,
            "/console/tips/{reference}/messages",
            post(tip::write_message),
        ),
        route(
            M::GET,
            "/console/tips/{reference}/attachments/{uid}",
            get(tip::download_attachment),
        ),
        route(
            M::GET,
            "/console/tips/{reference}/attachments/{uid}/thumbnail",
            get(tip::attachment_thumbnail),
        ),
        route(M::GET, "/console/account", get(account::show_account)),
        route(
            M::POST,
            "/console/account/password",
            post(account::change_password),
        ),
        route(
            M::POST,
            "/console/account/sessions/end",
            post(account::log_out_everywhere),
        ),
        route(M::GET, "/console/officers", get(officers::show_officers)),
        route(M::POST, "/console/officers", post(officers::add_officer)),
        route(
            M::GET,
            "/console/officers/{username}",
            get(officers::show_officer),
        ),
        route(
            M::POST,
            "/console/officers/{username}",
            post(officers::edit_officer),
        ),
        route(
            M::POST,
            "/console/officers/{username}/disable",
            post(officers::disable),
        ),
        route(
            M::POST,
            "/console/officers/{username}/enable",
            post(officers::enable),
        ),
        route(
            M::POST,
            "/console/officers/{username}/unlock",
            post(officers::unlock),
        ),
        route(
            M::POST,
            "/console/officers/{username}/reset-password",
            post(officers::reset_password),
        ),
        route(
            M::POST,
            "/console/officers/{username}/reset-2fa",
            post(officers::reset_two_factor),
        ),
        route(M::GET, "/console/routing", get(routing::show_rules)),
        route(M::POST, "/console/routing", post(routing::set_rule)),
        route(
            M::POST,
            "/console/routing/{id}/delete",
            post(routing::remove_rule),
        ),
        route(M::GET, "/console/audit", get(audit::show_audit_log)),
        route(
            M::GET,
            "/console/audit/export",
            get(audit::export_audit_log),
        ),
        route(M::GET, "/console/contacts", get(contacts::show_contacts)),
        route(
            M::GET,
            "/console/contacts/{key}",
            get(contacts::show_contact),
        ),
        route(
            M::POST,
            "/console/contacts/{key}",
            post(contacts::edit_contact),
        ),
        route(
            M::POST,
            "/console/contacts/hotlines/{number}",
            post(contacts::set_hotline),
        ),
        route(M::GET, "/console/sos", get(sos::show_board)),
        route(M::GET, "/console/sos/events", get(sos::stream_board)),
        route(
            M::POST,
            "/console/sos/{alert}/acknowledge",
            post(sos::acknowledge_alert),
        ),
        route(
            M::POST,
            "/console/sos/{alert}/dispatch",
            post(sos::dispatch_alert),
        ),
        route(
            M::POST,
            "/console/sos/{alert}/close",
            post(sos::close_alert),
        ),
        route(M::GET, "/console/faq", get(faq::show_faq)),
        route(M::POST, "/console/faq", post(faq::create_entry)),
        route(M::GET, "/console/faq/new", get(faq::show_new_entry)),
        route(M::GET, "/console/faq/{entry}", get(faq::show_entry)),
        route(M::POST, "/console/faq/{entry}", post(faq::save_entry)),
        route(M::POST, "/console/faq/{entry}/move", post(faq::move_entry)),
        route(
            M::POST,
            "/console/faq/{entry}/publish",
            post(faq::publish_entry),
        ),
        route(
            M::POST,
            "/console/faq/{entry}/unpublish",
            post(faq::unpublish_entry),
        ),
        route(
            M::POST,
            "/console/faq/{entry}/delete",
            post(faq::delete_entry),
        ),
        route(M::POST, "/console/faq/groups", post(faq::create_group)),
        route(M::GET, "/console/faq/groups/{group}", get(faq::show_group)),
        route(
            M::POST,
            "/console/faq/groups/{group}",
            post(faq::save_group),
        ),
        route(
            M::POST,
            "/console/faq/groups/{group}/move",
            post(faq::move_group),
        ),
        route(
            M::POST,
            "/console/faq/groups/{group}/delete",
            post(faq::delete_group),
        ),
        route(M::GET, "/console/news", get(news::show_news)),
        route(
            M::POST,
            "/console/news",
            post(news::create_post).layer(DefaultBodyLimit::max(news::FORM_LIMIT)),
        ),
        route(M::GET, "/console/news/new", get(news::show_new_post)),
        route(M::GET, "/console/news/{post}", get(news::show_post)),
        route(
            M::POST,
            "/console/news/{post}",
            post(news::save_post).layer(DefaultBodyLimit::max(news::FORM_LIMIT)),
        ),
        route(
            M::GET,
            "/console/news/{post}/picture",
            get(news::show_picture),
        ),
        route(
            M::POST,
            "/console/news/{post}/publish",
            post(news::publish_post),
        ),
        route(
            M::POST,
            "/console/news/{post}/unpublish",
            post(news::unpublish_post),
        ),
        route(
            M::POST,
            "/console/news/{post}/delete",
            post(news::delete_post),
        ),
    ]
}

/// The console's routes as (method, path), for tests and documentation.
pub fn route_list() -> Vec<(Method, &'static str)> {
    routes().into_iter().map(|r| (r.method, r.path)).collect()
}
