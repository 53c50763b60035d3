//! `coalition-registry`: parse the command line, then serve, migrate, seed, mint a token, or
//! print the OpenAPI document.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use coalition_registry::app::{self, Application};
use coalition_registry::config::Settings;
use coalition_registry::http::auth::{JwtKeys, Role};
use coalition_registry::ops::seed;
use coalition_registry::store::Database;

#[derive(Parser)]
#[command(
    name = "coalition-registry",
    version,
    about = "The Coalition Registry API server and tools"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, seed reference data, and serve the API (the default).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Seed reference data (countries, vocabularies); idempotent. `--demo` adds a demo data set.
    Seed {
        /// Also load a realistic demo data set: coalitions, members, real events, and
        /// generated initiatives and events.
        #[arg(long)]
        demo: bool,
        /// Generated initiatives with `--demo` (events: a quarter as many).
        #[arg(long, default_value_t = 1000, requires = "demo")]
        scale: usize,
    },
    /// Mint a bearer token signed with the configured HS256 secret.
    Token {
        /// `admin` or `editor`.
        #[arg(long, value_enum)]
        role: Role,
        /// A coalition the editor may write; repeat for several.
        #[arg(long = "coalition")]
        coalitions: Vec<String>,
        /// Who the token identifies (recorded with writes).
        #[arg(long, default_value = "cli")]
        sub: String,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 86_400)]
        ttl: i64,
    },
    /// Purge change-feed tombstones older than the retention period (cursors older than the
    /// newest purged one then get 410 and resynchronise).
    Compact {
        /// Keep deletions in the feed for this many days.
        #[arg(long, default_value_t = 30)]
        older_than_days: i64,
    },
    /// Exit 0 when the service on this machine (`BIND_ADDR`'s port, over loopback) is ready:
    /// a container health check that needs no curl.
    Healthcheck {
        /// The path to ask.
        #[arg(long, default_value = "/health/ready")]
        path: String,
    },
    /// Machine clients of the client-credentials grant (`POST /api/v1/oauth/token`).
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Write a consistent copy of the database to a file while the service keeps serving
    /// (SQLite: the online backup API; PostgreSQL: `pg_dump --format=custom`).
    Backup {
        /// The file to write (replaced if it exists).
        #[arg(long)]
        output: PathBuf,
    },
    /// Replace the database with a backup (SQLite: the backup API in reverse; PostgreSQL:
    /// `pg_restore --clean`). Stop every replica of the service first.
    Restore {
        /// A file written by `backup`.
        #[arg(long)]
        input: PathBuf,
    },
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register a client; prints `client_id=…` and `client_secret=…` (the secret only now).
    Add {
        /// What the client is (e.g. `eu4digital`).
        #[arg(long)]
        name: String,
        /// The role its tokens carry.
        #[arg(long, value_enum)]
        role: Role,
        /// A coalition an editor client may write; repeat for several.
        #[arg(long = "coalition")]
        coalitions: Vec<String>,
    },
    /// List every client (id, name, role, coalitions, created, revoked).
    List,
    /// Revoke a client: no new tokens from now on; those it holds expire on their own.
    Revoke {
        /// The client id.
        id: String,
    },
}

fn client(settings: &Settings, command: ClientCommand) -> anyhow::Result<()> {
    use coalition_registry::identity::clients;
    use coalition_registry::store::journal::Actor;
    let db = Database::connect(&settings.database_url(), 1)?;
    db.migrate()?;
    let failed = |e: coalition_registry::http::error::ApiError| match e {
        coalition_registry::http::error::ApiError::Validation(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    };
    match command {
        ClientCommand::Add { name, role, coalitions } => {
            let new = clients::NewClient { name, role, coalitions };
            let issued = db
                .write_blocking(|conn| clients::add(conn, &Actor::command_line(), new))
                .map_err(failed)?;
            println!("client_id={}", issued.client.id);
            println!("client_secret={}", issued.client_secret);
            log::info!("client registered; the secret is shown only now: store it in the client's secret store");
        }
        ClientCommand::List => {
            for c in db.read_blocking(clients::list).map_err(failed)? {
                println!(
                    "{}\t{}\t{}\t{}\tcreated {} by {}\t{}",
                    c.id,
                    c.name,
                    if c.role == Role::Admin { "admin" } else { "editor" },
                    if c.coalitions.is_empty() {
                        "-".to_string()
                    } else {
                        c.coalitions.join(",")
                    },
                    c.created_at.to_rfc3339(),
                    c.created_by,
                    c.revoked_at
                        .map_or("active".to_string(), |at| format!("revoked {}", at.to_rfc3339()))
                );
            }
        }
        ClientCommand::Revoke { id } => {
            let id = uuid::Uuid::parse_str(id.trim())
                .map_err(|_| anyhow::anyhow!("`{id}` is not a client id (a UUID)"))?
                .hyphenated()
                .to_string();
            match db
                .write_blocking(|conn| clients::revoke(conn, &Actor::command_line(), &id))
                .map_err(failed)?
            {
                Some(_) => log::info!("client {id} revoked: it gets no new token; tokens it holds expire on their own"),
                None => anyhow::bail!("no client has the id {id}"),
            }
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = cli.settings;
    coalition_registry::ops::logging::init(&settings.rust_log, settings.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => {
            let db = Database::connect(&settings.database_url(), 1)?;
            db.migrate()?;
            log::info!("migrations applied");
            Ok(())
        }
        Command::Seed { demo, scale } => {
            // A connection per demo data writer, and one for the rest.
            let db = Database::connect(
                &settings.database_url(),
                coalition_registry::ops::demo::WRITERS as u32 + 1,
            )?;
            db.migrate()?;
            let report = seed::seed_reference_data(&db).map_err(|e| anyhow::anyhow!("{e}"))?;
            log::info!(
                "seeded: {} countries added, {} vocabulary terms written, {} documents rendered, {} records indexed for search",
                report.countries_added,
                report.terms,
                report.documents_rendered,
                report.search_indexed
            );
            if demo {
                let started = std::time::Instant::now();
                let report =
                    coalition_registry::ops::demo::seed_demo(&db, scale).map_err(|e| anyhow::anyhow!("{e}"))?;
                log::info!(
                    "demo data: {} coalitions, {} organisations, {} initiatives, {} events in {:.1} s",
                    report.coalitions,
                    report.organisations,
                    report.initiatives,
                    report.trainings,
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(())
        }
        Command::Token {
            role,
            coalitions,
            sub,
            ttl,
        } => {
            if role == Role::Editor && coalitions.is_empty() {
                anyhow::bail!("an editor token needs at least one --coalition <id>");
            }
            for id in &coalitions {
                uuid::Uuid::parse_str(id).map_err(|_| anyhow::anyhow!("`{id}` is not a coalition id (a UUID)"))?;
            }
            if !coalition_registry::http::auth::parse_algorithms(&settings.jwt_algorithms)?
                .contains(&jsonwebtoken::Algorithm::HS256)
            {
                anyhow::bail!("JWT_ALGORITHMS does not accept HS256: tokens come from the identity provider, not from this command");
            }
            let secret = settings.resolve_jwt_secret()?;
            let keys = JwtKeys::hs256(&secret, settings.jwt_issuer.clone(), settings.jwt_audience.clone());
            println!("{}", keys.mint(&sub, role, coalitions, ttl)?);
            Ok(())
        }
        Command::Compact { older_than_days } => {
            let db = Database::connect(&settings.database_url(), 1)?;
            db.migrate()?;
            let purged = db
                .write_blocking(|conn| {
                    coalition_registry::store::feed::compact(conn, chrono::Duration::days(older_than_days))
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            log::info!("purged {purged} change-feed tombstones older than {older_than_days} days");
            Ok(())
        }
        Command::Client { command } => client(&settings, command),
        Command::Healthcheck { path } => coalition_registry::ops::probes::check(&settings.bind_addr, &path),
        Command::Backup { output } => {
            let started = std::time::Instant::now();
            let report = coalition_registry::ops::backup::backup(&settings.database_url(), &output)?;
            log::info!(
                "backup written to {} ({} bytes, {}) in {:.1} s",
                output.display(),
                report.bytes,
                report.method,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { input } => {
            let report = coalition_registry::ops::backup::restore(&settings.database_url(), &input)?;
            log::info!(
                "restored from {} ({} bytes, {})",
                input.display(),
                report.bytes,
                report.method
            );
            let db = Database::connect(&settings.database_url(), 1)?;
            db.migrate()?;
            db.write_blocking(coalition_registry::store::feed::start_new_epoch)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            log::info!("migrations applied; the change feed starts a new epoch (older cursors get 410)");
            Ok(())
        }
        Command::Openapi { output } => {
            let json = app::openapi_json();
            match output {
                Some(path) => std::fs::write(path, json)?,
                None => print!("{json}"),
            }
            Ok(())
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let application = Application::build(&settings)?;
        let host = settings.bind_addr.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
        let base = format!("http://{host}:{}", application.port());
        let backend = match coalition_registry::store::Backend::of_url(&settings.database_url()) {
            coalition_registry::store::Backend::Postgres => "PostgreSQL".to_string(),
            coalition_registry::store::Backend::Sqlite => {
                format!("SQLite at {}", settings.database_url())
            }
        };
        log::info!("coalition-registry listening on {base} over {backend}");
        log::info!("API at {base}/api/v1 — docs at {base}/docs/ — OpenAPI at {base}/api/v1/openapi.json");
        application.run_until_stopped().await?;
        Ok(())
    })
}
