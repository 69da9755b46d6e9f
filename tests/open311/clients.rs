//! Existing Open311 client libraries from PyPI (`three`, `georeport`) drive the
//! running server through scripts/open311-client-test.py; then the reports they
//! filed must be on the screens. The libraries are installed with pip into the
//! target directory when missing; without python3 or pip the test is skipped
//! loudly, or fails under `COCKPIT_REQUIRE_SERVICES=1`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{loud, required, spawn_app};

const CLIENTS: [&str; 2] = ["three==0.8.0", "georeport==0.3.1"];
const IMPORTS: &str = "import itertools; itertools.ifilter = filter; import three, georeport, requests";

fn importable(python: &str, dir: &Path) -> bool {
    Command::new(python)
        .args(["-c", IMPORTS])
        .env("PYTHONPATH", dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The directory to put on `PYTHONPATH` for the clients, installing them there if needed.
fn clients(python: &str) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("open311-python");
    if importable(python, &dir) {
        return Ok(dir);
    }
    let out = Command::new(python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--upgrade",
            "--target",
        ])
        .arg(&dir)
        .args(CLIENTS)
        .output()
        .map_err(|e| format!("cannot run {python} -m pip: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pip install {} failed: {}",
            CLIENTS.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if importable(python, &dir) {
        Ok(dir)
    } else {
        Err(format!(
            "installed {} into {} but cannot import them",
            CLIENTS.join(" "),
            dir.display()
        ))
    }
}

crate::per_backend! {
    async fn open311_client_libraries_file_reports_that_reach_the_screens(b) {
        let python = "python3";
        let has_python = Command::new(python).arg("--version").output().is_ok_and(|o| o.status.success());
        let dir = if has_python {
            clients(python)
        } else {
            Err(format!("{python} is not installed"))
        };
        let dir = match dir {
            Ok(d) => d,
            Err(why) if required() => panic!("COCKPIT_REQUIRE_SERVICES=1 but the Open311 client test cannot run: {why}"),
            Err(why) => {
                loud(&format!("SKIPPING the Open311 client-library test: {why}"));
                return;
            }
        };
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/open311-client-test.py");
        let app = spawn_app(&b).await;
        // The server runs on this runtime: wait for the script without blocking it.
        let run = tokio::process::Command::new(python)
            .arg(&script)
            .arg(app.url("/open311/v2"))
            .args(["--jurisdiction", "nanan"])
            .env("PYTHONPATH", &dir)
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(120), run)
            .await
            .expect("the client test took over 120 s")
            .expect("python3 runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{b:?}: the Open311 client test failed\n{stdout}\n{stderr}");
        let result: Value = stdout
            .lines()
            .find_map(|l| l.strip_prefix("RESULT "))
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_else(|| panic!("no RESULT line:\n{stdout}"));
        assert!(
            result["street_light"].as_str().is_some_and(|id| id.starts_with("o311-")),
            "{result}"
        );

        let zj = app.figures("nanan.nanping.zhengjie").await;
        assert_eq!(
            zj["tickets_reported"], 1,
            "the street light filed by `three` is on the Zhengjie screen: {zj}"
        );
        assert_eq!(zj["tickets_open"], 1);
        assert_eq!(
            app.figures("nanan.nanpingzhen.xinglong").await["tickets_reported"],
            1,
            "the dispute"
        );
        assert_eq!(
            app.figures("nanan").await["tickets_reported"],
            3,
            "and the spec's example, at the district"
        );
        app.stop().await;
    }
}
