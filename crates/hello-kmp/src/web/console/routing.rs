//! `/console/routing`: administrators see and change where new tips go.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::tip::Category;
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::routing::{self, ANY, RuleForm, THANA_OF_PLACE};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{Choice, PageCtx, Problem, render_with};

/// A rule, ready to show.
pub struct RuleRow {
    pub id: i64,
    pub category: String,
    pub thana: String,
    pub lead: String,
    pub copy_to: String,
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "console/routing.html")]
pub struct RoutingPage {
    pub ctx: PageCtx,
    pub rows: Vec<RuleRow>,
    pub categories: Vec<Choice>,
    pub thanas: Vec<Choice>,
    pub leads: Vec<Choice>,
    pub copies: Vec<Choice>,
    pub problem: Option<Problem>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RuleInput {
    category: String,
    thana: String,
    lead: String,
    copy_to: String,
}

pub async fn show_rules(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    rules_page(&state, &officer, ctx, &RuleInput::default(), None).await
}

async fn rules_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    typed: &RuleInput,
    problem: Option<(InputError, Problem)>,
) -> Result<Response, WebError> {
    let rules = routing::rules(&state.store, officer).await?;
    ctx.signed_in(officer);
    let lang = ctx.lang;
    let any = ctx.t("console-any");
    let place = |key: &str| match key {
        ANY => any.clone(),
        THANA_OF_PLACE => ctx.t("console-thana-of-place"),
        "" => "—".to_string(),
        key => state.reference.place_name(key, lang),
    };
    let category = |key: &str| match Category::parse(key) {
        Ok(c) => ctx.t(&c.label_key()),
        Err(_) => any.clone(),
    };
    let rows = rules
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            category: category(&r.category),
            thana: place(&r.thana),
            lead: place(&r.lead),
            copy_to: place(&r.copy_to),
            removable: !(r.category == ANY && r.thana == ANY),
        })
        .collect();
    let choice = |key: &str, label: String, typed: &str| Choice {
        selected: typed == key,
        key: key.into(),
        label,
    };
    let mut categories = vec![choice(ANY, any.clone(), &typed.category)];
    categories.extend(
        Category::ALL
            .iter()
            .map(|c| choice(c.key(), ctx.t(&c.label_key()), &typed.category)),
    );
    let mut thanas = vec![choice(ANY, any.clone(), &typed.thana)];
    thanas.extend(
        state
            .reference
            .thanas()
            .map(|t| choice(&t.key, t.name(lang).into(), &typed.thana)),
    );
    let desks: Vec<_> = state
        .reference
        .places
        .iter()
        .filter(|p| p.kind != "hq")
        .collect();
    let mut leads = vec![choice(
        THANA_OF_PLACE,
        ctx.t("console-thana-of-place"),
        &typed.lead,
    )];
    leads.extend(
        desks
            .iter()
            .map(|p| choice(&p.key, p.name(lang).into(), &typed.lead)),
    );
    let mut copies = vec![choice("", ctx.t("console-no-copy"), &typed.copy_to)];
    copies.extend(
        desks
            .iter()
            .map(|p| choice(&p.key, p.name(lang).into(), &typed.copy_to)),
    );
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = RoutingPage {
        rows,
        categories,
        thanas,
        leads,
        copies,
        problem: problem.map(|(_, p)| p),
        ctx,
    };
    Ok(render_with(status, &page))
}

pub async fn set_rule(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    form: Result<CitizenForm<RuleInput>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let rule = RuleForm {
        category: form.category.clone(),
        thana: form.thana.clone(),
        lead: form.lead.clone(),
        copy_to: form.copy_to.clone(),
    };
    match routing::set_rule(&state.store, &state.reference, &officer, &rule).await {
        Ok(()) => Ok(Redirect::to("/console/routing").into_response()),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            rules_page(&state, &officer, ctx, &form, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn remove_rule(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.trim().parse().map_err(|_| WebError::NotFound)?;
    match routing::remove_rule(&state.store, &officer, id).await {
        Ok(()) => Ok(Redirect::to("/console/routing").into_response()),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            rules_page(
                &state,
                &officer,
                ctx,
                &RuleInput::default(),
                Some((err, problem)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
