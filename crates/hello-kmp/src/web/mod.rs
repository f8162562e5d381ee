//! The web layer: the one route table, shared extractors and middleware. Handlers are grouped by
//! the service they serve, and each page's template lives in a folder of the same name.

pub mod api;
pub mod assets;
pub mod citizen;
pub mod client;
pub mod console;
pub mod error;
pub mod form;
pub mod icons;
pub mod middleware;
pub mod page;
pub mod pwa;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// Largest form or JSON body a citizen route takes. A 5,000-character Bangla description is
/// about 15 KB.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Every route of the server, in one place.
pub fn router(state: AppState) -> Router {
    // Console routes come from their own table; one path may take several methods. They are
    // added first: the method-not-allowed fallback below applies to routes added before it.
    let mut console_routes = Router::new();
    for console_route in console::routes() {
        console_routes = console_routes.route(console_route.path, console_route.handler);
    }
    let upload_limit = citizen::upload::upload_limit(&state.file_limits());
    let routes = console_routes
        .route("/", get(citizen::home::show_home))
        .route("/healthz", get(citizen::home::health))
        .route("/static/{file}", get(assets::serve_asset))
        .route("/manifest.webmanifest", get(pwa::show_manifest))
        .route("/sw.js", get(pwa::show_service_worker))
        .route("/offline", get(citizen::offline::show_offline))
        .route("/lang/{code}", get(citizen::lang::switch_language))
        .route("/tips/new", get(citizen::tips::show_tip_form))
        .route(
            "/tips",
            get(citizen::tips::to_tip_form)
                .post(citizen::tips::submit_tip)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/follow-up",
            get(citizen::follow_up::show_lookup_form).post(citizen::follow_up::show_tip_status),
        )
        .route(
            "/follow-up/messages",
            post(citizen::follow_up::add_information).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/contacts", get(citizen::contacts::show_contacts))
        .route(
            "/contacts/nearest",
            get(citizen::contacts::to_contacts).post(citizen::contacts::show_nearest),
        )
        .route(
            "/sos",
            get(citizen::sos::show_sos_page).post(citizen::sos::send_alert),
        )
        .route("/faq", get(citizen::faq::show_faq))
        .route("/news", get(citizen::news::show_news))
        .route("/news/feed.atom", get(citizen::news::show_feed))
        .route("/news/{post}", get(citizen::news::show_post))
        .route("/news/pictures/{file}", get(citizen::news::show_picture))
        .nest("/api/v1", api::routes(&state))
        .fallback(citizen::home::not_found)
        .method_not_allowed_fallback(citizen::home::method_not_allowed);

    middleware::wrap(routes.layer(DefaultBodyLimit::max(BODY_LIMIT)), &state).with_state(state)
}
