//! The MDSC API binary: `serve` (default), `migrate`, `create-admin`, `seed-demo`.

use clap::{Parser, Subcommand};
use mdsc_auth::RegisterInput;
use mdsc_gateway::Config;
use mdsc_gateway::commands;
use mdsc_gateway::logging::{self, LogFormat};

/// mimalloc returns freed memory to the system; with glibc's allocator, the
/// 19 MiB blocks of password hashes stayed in its arenas (283 MB of peak
/// resident memory under 1,000 concurrent logins, with two hashes at a time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "mdsc-gateway", version, about = "MDSC learning platform API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an administrator, or promote an existing account.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long, default_value = "Admin")]
        first_name: String,
        #[arg(long, default_value = "MDSC")]
        last_name: String,
    },
    /// Create a demo course, an instructor and students; print credentials.
    SeedDemo,
}

fn main() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    let format = match LogFormat::parse(std::env::var("LOG_FORMAT").ok().as_deref()) {
        Ok(format) => format,
        Err(message) => {
            eprintln!("error: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    logging::init(format);
    let cli = Cli::parse();
    let outcome =
        Config::from_env().and_then(|config| match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => actix_web::rt::System::new().block_on(commands::serve::serve(config)),
            Command::Migrate => commands::migrate(&config),
            Command::CreateAdmin {
                email,
                password,
                first_name,
                last_name,
            } => commands::create_admin::create_admin(
                &config,
                RegisterInput {
                    email,
                    password,
                    first_name,
                    last_name,
                },
            ),
            Command::SeedDemo => commands::seed_demo::seed_demo(&config),
        });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", err.message);
            for field in &err.field_errors {
                eprintln!("  {}: {}", field.field, field.message);
            }
            std::process::ExitCode::FAILURE
        }
    }
}
