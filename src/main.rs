fn main() -> std::process::ExitCode {
    match mimigrate::cli::parse_args() {
        Ok(cli) => mimigrate::cli::run(cli),
        Err(message) => {
            eprintln!("mimigrate: {message}");
            std::process::ExitCode::from(2)
        }
    }
}
