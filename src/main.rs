fn main() {
    std::process::exit(sednas::cli::main_with_args(std::env::args_os()));
}
