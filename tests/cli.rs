//! The binary as an operator meets it: settings from the environment (service
//! links ignored with a warning), the effective settings with secrets hidden,
//! start-up errors that name what failed, scopes checked as the API checks them,
//! and logs on stderr, as JSON when asked.

use std::process::{Command, Output};

fn cockpit(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir().join(format!("cockpit-cli-{:x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("COCKPIT_DATA_DIR", dir.join("data"))
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn kubernetes_service_links_are_ignored_with_a_warning_and_secrets_never_print() {
    let out = cockpit(
        &["print-config", "--effective"],
        &[
            ("COCKPIT_PORT", "tcp://10.0.0.7:8080"),
            ("COCKPIT_SERVICE_HOST", "10.0.0.7"),
            ("COCKPIT_COALESCE_MS", "125"),
            ("COCKPIT_ADMIN_TOKEN", "admin-hunter2"),
            ("DATABASE_URL", "postgres://cockpit:pg-hunter2@db.example/cockpit"),
        ],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("coalesce_ms = 125"), "the environment is merged:\n{stdout}");
    assert!(stdout.contains("postgres://cockpit:***@db.example/cockpit"), "{stdout}");
    assert!(
        !stdout.contains("hunter2") && !stderr.contains("hunter2"),
        "a secret printed:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("COCKPIT_PORT") && stderr.contains("COCKPIT_SERVICE_HOST"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("\u{1b}["),
        "no colour codes when stderr is not a terminal: {stderr:?}"
    );
}

#[test]
fn an_unknown_key_in_the_file_still_stops_the_server() {
    let dir = std::env::temp_dir().join(format!("cockpit-cli-{:x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cockpit.toml");
    std::fs::write(&file, "prot = 8080\n").unwrap();
    let out = cockpit(&["--config", file.to_str().unwrap(), "print-config", "--effective"], &[]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("prot"), "{}", text(&out.stderr));
}

#[test]
fn start_up_errors_name_what_failed() {
    let mysql = cockpit(&["migrate"], &[("DATABASE_URL", "mysql://root@127.0.0.1/cockpit")]);
    assert!(!mysql.status.success());
    assert!(
        text(&mysql.stderr).contains("mysql") && text(&mysql.stderr).contains("PostgreSQL"),
        "{}",
        text(&mysql.stderr)
    );

    // A closed loopback port: the host is named, and so is the cause.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://cockpit:pw@127.0.0.1:{port}/cockpit");
    let down = cockpit(&["migrate"], &[("DATABASE_URL", url.as_str())]);
    let err = text(&down.stderr);
    assert!(!down.status.success());
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.to_lowercase().contains("refused"),
        "{err}"
    );
    assert!(!err.contains(":pw@"), "{err}");

    let dir = std::env::temp_dir().join(format!("cockpit-cli-file-{:x}", rand::random::<u64>()));
    std::fs::write(&dir, "a file, not a directory").unwrap();
    let data = dir.join("data");
    let bad = cockpit(&["migrate"], &[("COCKPIT_DATA_DIR", data.to_str().unwrap())]);
    let _ = std::fs::remove_file(&dir);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("data directory"), "{}", text(&bad.stderr));
}

#[test]
fn the_cli_refuses_a_scope_the_api_would_not_know() {
    let out = cockpit(&["keys", "create", "--scope", "nanan.nowhere"], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not registered"), "{}", text(&out.stderr));
    let out = cockpit(&["ledger-verify", "nanan.nowhere"], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not registered"), "{}", text(&out.stderr));
}

#[test]
fn json_logs_are_one_object_per_line_on_stderr() {
    let out = cockpit(&["migrate"], &[("COCKPIT_LOG_FORMAT", "json"), ("COCKPIT_NO_SUCH_SETTING", "1")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<&str> = std::str::from_utf8(&out.stderr)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .collect();
    assert!(!lines.is_empty(), "the warning about COCKPIT_NO_SUCH_SETTING is logged");
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v["level"].is_string(), "{l}");
    }
    assert!(
        text(&out.stdout).contains("migrations applied"),
        "what a command prints stays on stdout"
    );
}
