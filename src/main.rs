fn main() {
    // Die quietly on a closed pipe (`sednas enumerate | head`), as command-line tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default SIGPIPE disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(sednas::cli::main_with_args(std::env::args_os()));
}
