//! `serve`: bind, answer until SIGTERM or Ctrl-C, then drain in-flight requests and close.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::app::{AppState, FirstAdmin};
use crate::config::Settings;

/// Opens everything, prints the first administrator's password if one was made, and serves.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.listen;
    // Bind first: a taken port stops start-up before anything is created.
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen} (setting `listen`)"))?;
    let (state, first_admin) = AppState::open(settings).await?;
    if let Some(admin) = first_admin {
        print_first_admin(&admin);
    }
    tracing::info!(address = %listener.local_addr()?, "serving");
    run(listener, state, shutdown_signal()).await
}

/// Serves on a bound listener until `shutdown` resolves; tests call this with port 0.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = state.store.clone();
    crate::services::uploads::spawn_sweeper(state.store.clone(), state.blobs.clone());
    crate::services::sos::spawn_purger(state.store.clone());
    // Open SOS boards hold their stream until told to end: they are told first, so that the
    // requests in flight can drain.
    let sos_hub = state.sos_hub.clone();
    let shutdown = async move {
        shutdown.await;
        sos_hub.close();
    };
    let app = crate::web::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving")?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `migrate`: apply migrations and seed data, then exit.
pub async fn migrate_only(settings: Settings) -> anyhow::Result<()> {
    let (state, first_admin) = AppState::open(settings).await?;
    if let Some(admin) = first_admin {
        print_first_admin(&admin);
    }
    state.store.close().await;
    say!("Database is up to date.");
    Ok(())
}

/// Straight to the terminal, never through the log.
fn print_first_admin(admin: &FirstAdmin) {
    say!("No officer account existed, so an administrator was created.");
    say!("  username: {}", admin.username);
    say!("  one-time password: {}", admin.password.0);
    say!("It is shown only this once. Log in at /console/login.");
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
