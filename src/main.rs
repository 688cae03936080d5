fn main() -> std::process::ExitCode {
    let cli = mimigrate::cli::parse_args();
    mimigrate::cli::run(cli)
}
