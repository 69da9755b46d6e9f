//! The result table: each figure beside a baseline measured in the same run, the
//! ratio, the target and whether it is met; printed and written as JSON.

use serde_json::{Value, json};

/// One line of the table.
#[derive(Clone, Debug)]
pub struct Row {
    /// Stable key for machines (`batch_ingest`, `latency_w0_s100`, …).
    pub key: String,
    pub figure: String,
    pub backend: String,
    pub value: f64,
    pub unit: &'static str,
    /// Extra numbers shown beside the value (p50/p99/max, …).
    pub detail: String,
    pub baseline: Option<f64>,
    /// What the baseline is, in a few words.
    pub baseline_what: String,
    /// The target, as text; empty when the issue sets none.
    pub target: String,
    pub met: Option<bool>,
}

impl Row {
    pub fn new(key: impl Into<String>, figure: impl Into<String>, backend: &str, value: f64, unit: &'static str) -> Row {
        Row {
            key: key.into(),
            figure: figure.into(),
            backend: backend.to_owned(),
            value,
            unit,
            detail: String::new(),
            baseline: None,
            baseline_what: String::new(),
            target: String::new(),
            met: None,
        }
    }

    pub fn detail(mut self, d: impl Into<String>) -> Row {
        self.detail = d.into();
        self
    }

    pub fn baseline(mut self, v: f64, what: impl Into<String>) -> Row {
        self.baseline = Some(v);
        self.baseline_what = what.into();
        self
    }

    pub fn target(mut self, t: impl Into<String>, met: bool) -> Row {
        self.target = t.into();
        self.met = Some(met);
        self
    }

    pub fn ratio(&self) -> Option<f64> {
        self.baseline.filter(|b| *b != 0.0 && b.is_finite()).map(|b| self.value / b)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "key": self.key,
            "figure": self.figure,
            "backend": self.backend,
            "value": finite(self.value),
            "unit": self.unit,
            "detail": self.detail,
            "baseline": self.baseline.map(finite),
            "baseline_what": self.baseline_what,
            "ratio": self.ratio().map(finite),
            "target": self.target,
            "met": self.met,
        })
    }
}

fn finite(v: f64) -> Value {
    if v.is_finite() {
        json!((v * 1000.0).round() / 1000.0)
    } else {
        Value::Null
    }
}

/// A number with its unit, for people.
pub fn fmt(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    match unit {
        "/s" => format!("{}/s", thousands(v)),
        "ms" if v.abs() >= 100.0 => format!("{v:.0} ms"),
        "ms" => format!("{v:.2} ms"),
        "µs" => format!("{v:.2} µs"),
        "KiB" => format!("{v:.1} KiB"),
        "MiB" => format!("{v:.1} MiB"),
        "s" => format!("{v:.2} s"),
        "" => thousands(v),
        u => format!("{v:.2} {u}"),
    }
}

pub fn thousands(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if neg { format!("-{out}") } else { out }
}

/// One row's cells; `missed` is how a missed target reads.
fn cells(r: &Row, missed: &str) -> [String; 7] {
    let value = if r.detail.is_empty() {
        fmt(r.value, r.unit)
    } else {
        format!("{} ({})", fmt(r.value, r.unit), r.detail)
    };
    let baseline = match r.baseline {
        Some(b) => format!("{} {}", fmt(b, r.unit), r.baseline_what),
        None => r.baseline_what.clone(),
    };
    let ratio = r.ratio().map_or_else(|| "-".into(), |x| format!("{x:.2}×"));
    let met = match r.met {
        Some(true) => "yes",
        Some(false) => missed,
        None => "-",
    };
    let target = if r.target.is_empty() { "-".into() } else { r.target.clone() };
    [r.figure.clone(), r.backend.clone(), value, baseline, ratio, target, met.into()]
}

const HEAD: [&str; 7] = ["figure", "backend", "value", "baseline (same run)", "ratio", "target", "met"];

/// The table as aligned text columns.
pub fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 7]> = rows.iter().map(|r| cells(r, "NO")).collect();
    let mut width = HEAD.map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c.iter()) {
            *w = (*w).max(s.chars().count());
        }
    }
    let line = |c: &[String]| -> String {
        let mut s = String::new();
        for (i, (cell, w)) in c.iter().zip(width.iter()).enumerate() {
            if i > 0 {
                s.push_str(" | ");
            }
            s.push_str(cell);
            s.push_str(&" ".repeat(w - cell.chars().count()));
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(&HEAD.map(String::from));
    out.push_str(&line(&width.map(|w| "-".repeat(w))));
    for c in &cells {
        out.push_str(&line(c));
    }
    out
}

/// The same table as GitHub Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = format!("| {} |\n|{}\n", HEAD.join(" | "), "---|".repeat(HEAD.len()));
    for r in rows {
        out.push_str(&format!("| {} |\n", cells(r, "**no**").join(" | ")));
    }
    out
}

/// Percentile (0–100) of sorted samples; NaN when empty.
pub fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}
