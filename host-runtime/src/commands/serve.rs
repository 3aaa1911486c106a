//! `ordex serve`: starts the triage service.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ordex_host::serve::{self, ServeConfig};
use rand::Rng;

/// Reads the API keys, or creates one beside the database on first start
/// (kept there, so a restart keeps working with the same key).
pub fn api_keys(given: &[String], database: &Path) -> Result<Vec<String>, String> {
    let keys: Vec<String> = given
        .iter()
        .flat_map(|k| k.split(','))
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    if !keys.is_empty() {
        return Ok(keys);
    }
    let file = database.with_file_name("api-key");
    if let Ok(text) = std::fs::read_to_string(&file) {
        let key = text.trim().to_owned();
        if !key.is_empty() {
            eprintln!("API key: read from {}", file.display());
            return Ok(vec![key]);
        }
    }
    let bytes: [u8; 24] = rand::rng().random();
    let key = format!("ordex_{}", hex::encode(bytes));
    if let Some(dir) = file.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    write_private(&file, &key).map_err(|e| format!("{}: {e}", file.display()))?;
    eprintln!(
        "API key: created {} (send it as `Authorization: Bearer <key>`)",
        file.display()
    );
    Ok(vec![key])
}

#[cfg(unix)]
fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &PathBuf, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Runs the service until it is stopped.
pub fn run(config: ServeConfig, json_logs: bool) -> Result<ExitCode, String> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ORDEX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json_logs {
        builder.json().init();
    } else {
        builder.init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let state = tokio::task::spawn_blocking(move || serve::prepare(config))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        serve::run(state).await.map_err(|e| e.to_string())
    })?;
    Ok(ExitCode::SUCCESS)
}
