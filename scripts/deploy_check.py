#!/usr/bin/env python3
"""Helpers of scripts/deploy-check.sh: structural checks of deploy/, the live
clients (HTTP through nginx, screens over wss), the data set, figure snapshots
and the evaluation of every Grafana panel and alert expression in Prometheus.

Each subcommand prints what it checked and exits non-zero, saying why, when a
check fails. It runs in the check's venv (PyYAML, websockets, jsonschema);
deploy-check.sh is the only caller, and it starts and stops every process.
"""

import argparse
import datetime as dt
import glob
import gzip
import json
import os
import random
import re
import socket
import ssl
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Metrics that panels and rules may use before the server exports them: the core
# branch adds these two gauges. A panel or rule whose only missing data comes from
# them passes (and says so) as long as no instance exports them at all; once they
# exist, their panels must return data like every other. Empty this list when
# they have landed.
ALLOWED_MISSING_METRICS: list[str] = []

# Grafana's built-in variables, replaced when a panel's query goes to Prometheus.
# The test Prometheus scrapes every 2 s, so a minute holds plenty of samples.
GRAFANA_BUILTINS = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "5m",
}


class Fail(Exception):
    pass


def say(msg):
    print(f"deploy-check: {msg}", flush=True)


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def load_yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


# --------------------------------------------------------------------------- figures

def figure_names():
    """The figure names of the contract, read from the code (Metric::name)."""
    src = open(os.path.join(REPO, "src/domain/figures.rs"), encoding="utf-8").read()
    body = src[src.index("pub fn name(self)"):]
    body = body[: body.index("\n    }\n")]
    names = re.findall(r'Metric::\w+ => "([a-z0-9_]+)"', body)
    check(len(names) >= 9, f"could not read the figure names from src/domain/figures.rs (found {names})")
    return names


def deployment_wide_metrics():
    return ["cockpit_screens"] + [f"cockpit_{n}" for n in figure_names()]


AGGREGATORS = r"(sum|max|min|avg|count|group|stddev|stdvar|topk|bottomk|quantile|count_values)"


def lint_max(exprs):
    """Deployment-wide metrics must be aggregated with max() (or min()), never sum():
    every instance exports the same value. Returns the offending (where, expr) list."""
    wide = deployment_wide_metrics()
    bad = []
    for where, expr in exprs:
        for name in wide:
            for m in re.finditer(rf"(?<![A-Za-z0-9_:]){re.escape(name)}(?![A-Za-z0-9_:])", expr):
                before = expr[: m.start()].rstrip()
                # the enclosing call: "... agg [by|without (labels)] (" right before the selector
                m2 = re.search(AGGREGATORS + r"\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\($", before)
                if not m2:
                    # allow "agg(... (" forms with the grouping after: max(x) by (scope)
                    m3 = re.search(AGGREGATORS + r"\s*\($", before)
                    agg = m3.group(1) if m3 else None
                else:
                    agg = m2.group(1)
                if agg not in ("max", "min"):
                    bad.append((where, f"{name} aggregated with {agg or 'nothing'} in: {expr}"))
    return bad


# --------------------------------------------------------------------------- rules

def rule_alerts(paths):
    alerts = []
    for p in paths:
        for doc in load_yaml_docs(p):
            for g in doc.get("groups", []):
                for r in g.get("rules", []):
                    if "alert" in r:
                        alerts.append((r["alert"], r["expr"]))
    return alerts


def cmd_rules_coverage(a):
    alerts = [n for n, _ in rule_alerts(a.rules)]
    check(alerts, "no alert rules found")
    fired = {}
    silent = {}
    for t in a.tests:
        for doc in load_yaml_docs(t):
            for case in doc.get("tests", []):
                for art in case.get("alert_rule_test", []):
                    bucket = fired if art.get("exp_alerts") else silent
                    bucket[art["alertname"]] = bucket.get(art["alertname"], 0) + 1
    missing = [n for n in alerts if n not in fired]
    check(not missing, f"alerts without a unit test in which they fire: {missing}")
    unknown = [n for n in list(fired) + list(silent) if n not in alerts]
    check(not unknown, f"unit tests name alerts that no rule defines: {unknown}")
    quiet = [n for n in alerts if n not in silent]
    say(f"every alert ({len(alerts)}) has a unit test where it fires"
        + (f"; also one where it must not, except {quiet}" if quiet else "; and one where it must not"))


def cmd_lint_max(a):
    exprs = [(f"{p}: {n}", e) for p in a.rules for n, e in rule_alerts([p])]
    for d in a.dashboards:
        for title, expr in panel_exprs(json.load(open(d, encoding="utf-8"))):
            exprs.append((f"{os.path.basename(d)}: {title}", expr))
    bad = lint_max(exprs)
    for where, why in bad:
        print(f"  {where}: {why}", file=sys.stderr)
    check(not bad, "deployment-wide metrics (business figures, cockpit_screens) must be taken with max(), never sum()")
    say(f"{len(exprs)} expressions take deployment-wide metrics with max(), never sum()")


# --------------------------------------------------------------------------- grafana

def panel_exprs(dash):
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []) or []:
                if t.get("expr"):
                    out.append((p.get("title", "?"), t["expr"]))
            walk(p.get("panels", []) or [])

    walk(dash.get("panels", []))
    return out


def cmd_grafana_structure(a):
    uids = set()
    for path in a.dashboards:
        d = json.load(open(path, encoding="utf-8"))
        name = os.path.basename(path)
        check(d.get("uid") and d["uid"] not in uids, f"{name}: missing or duplicate uid")
        uids.add(d["uid"])
        check(d.get("title"), f"{name}: no title")
        check("max()" in d.get("description", "") and "never sum()" in d.get("description", ""),
              f"{name}: the description must say that deployment-wide figures are taken with max(), never sum()")
        names = [v["name"] for v in d.get("templating", {}).get("list", [])]
        check("datasource" in names, f"{name}: no datasource variable")
        ids = set()
        n = 0

        def walk(panels):
            nonlocal n
            for p in panels:
                check(p.get("id") not in ids, f"{name}: duplicate panel id {p.get('id')}")
                ids.add(p.get("id"))
                gp = p.get("gridPos", {})
                check(all(k in gp for k in "hwxy") and gp["x"] + gp["w"] <= 24,
                      f"{name}: panel {p.get('title')!r} has a bad gridPos {gp}")
                if p.get("type") != "row":
                    check(p.get("targets"), f"{name}: panel {p.get('title')!r} has no query")
                    check(p.get("datasource", {}).get("uid") == "${datasource}",
                          f"{name}: panel {p.get('title')!r} does not use the datasource variable")
                    check(p.get("description"), f"{name}: panel {p.get('title')!r} has no description")
                    for t in p["targets"]:
                        check(t.get("expr"), f"{name}: panel {p.get('title')!r} has a target without expr")
                        used = set(re.findall(r"\$\{?(\w+)", t["expr"]))
                        unknown = [u for u in used if u not in names and f"${u}" not in GRAFANA_BUILTINS]
                        check(not unknown, f"{name}: panel {p.get('title')!r} uses unknown variables {unknown}")
                        n += 1
                walk(p.get("panels", []) or [])

        walk(d.get("panels", []))
        say(f"{name}: {n} queries, variables {names}")
    # Provisioning: the dashboards folder it loads is where compose mounts them.
    prov = load_yaml_docs(a.provisioning)[0]
    paths = [p["options"]["path"] for p in prov["providers"]]
    compose = yaml.safe_load(open(a.compose, encoding="utf-8"))
    mounts = compose["services"]["grafana"]["volumes"]
    check(any(m.startswith("./grafana/dashboards:") and m.split(":")[1] in paths for m in mounts),
          f"Grafana's dashboard provider reads {paths}, which compose does not mount from ./grafana/dashboards")
    dsp = load_yaml_docs(a.datasources)[0]
    uids_ds = [x.get("uid") for x in dsp["datasources"]]
    for path in a.dashboards:
        d = json.load(open(path, encoding="utf-8"))
        dv = [v for v in d["templating"]["list"] if v["name"] == "datasource"][0]
        check(dv["current"]["value"] in uids_ds,
              f"{os.path.basename(path)}: default datasource {dv['current']['value']} is not provisioned ({uids_ds})")
    say("provisioning: compose mounts the dashboards where the provider reads them; the default datasource is provisioned")


def substitute(expr, values):
    out = expr
    for k, v in sorted(GRAFANA_BUILTINS.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(k, v)
    for k, v in values.items():
        out = out.replace("${" + k + "}", v).replace("$" + k, v)
    check("$" not in out, f"unsubstituted variable in {out}")
    return out


# --------------------------------------------------------------------------- kubernetes

def cmd_k8s_structure(a):
    d = a.dir
    files = sorted(glob.glob(os.path.join(d, "*.yaml")))
    res = {}
    for f in files:
        for doc in load_yaml_docs(f):
            res.setdefault(doc["kind"], []).append((os.path.basename(f), doc))

    def one(kind):
        check(len(res.get(kind, [])) == 1, f"expected exactly one {kind}, found {len(res.get(kind, []))}")
        return res[kind][0][1]

    kust = one("Kustomization")
    listed = set(kust["resources"])
    present = {os.path.basename(f) for f in files} - {"kustomization.yaml"}
    check(listed == present, f"kustomization.yaml lists {sorted(listed)} but the folder has {sorted(present)}")

    dep, svc, cm, sec = one("Deployment"), one("Service"), one("ConfigMap"), one("Secret")
    pdb, hpa, sm, ing = one("PodDisruptionBudget"), one("HorizontalPodAutoscaler"), one("ServiceMonitor"), one("Ingress")
    ns = one("Namespace")["metadata"]["name"]
    for kind, items in res.items():
        if kind in ("Namespace", "Kustomization"):
            continue
        for f, doc in items:
            check(doc["metadata"].get("namespace") == ns, f"{f}: {kind} is not in namespace {ns}")

    pod = dep["spec"]["template"]
    labels = pod["metadata"]["labels"]
    spec = pod["spec"]
    check(set(dep["spec"]["selector"]["matchLabels"].items()) <= set(labels.items()),
          "the Deployment's selector does not match its pods")

    # Service links: Kubernetes injects <SERVICE>_PORT=tcp://... for every Service of the
    # namespace; a Service named cockpit-* would give COCKPIT_* variables.
    check(spec.get("enableServiceLinks") is False, "the Deployment must set enableServiceLinks: false")
    for f, s in res["Service"]:
        prefix = s["metadata"]["name"].upper().replace("-", "_")
        check(not prefix.startswith("COCKPIT"),
              f"{f}: Service {s['metadata']['name']} would inject {prefix}_PORT=tcp://... (a COCKPIT_* variable) with service links on")

    c = [x for x in spec["containers"] if x["name"] == "cockpit"]
    check(len(c) == 1, "no container named cockpit")
    c = c[0]
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        p = c.get(probe, {}).get("httpGet", {})
        check(p.get("path") == path, f"{probe} must GET {path}, not {p.get('path')}")
        check(p.get("port") in ports or p.get("port") in ports.values(), f"{probe} port {p.get('port')} is not a container port")
    req = c.get("resources", {}).get("requests", {})
    check("cpu" in req and "memory" in req, "the container needs cpu and memory requests (the HPA scales on cpu)")
    # The drain: preStop, then up to 10 s of shutdown_timeout (src/startup.rs).
    pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pre_s = int(pre[1]) if len(pre) == 2 and pre[0] == "sleep" else 0
    grace = spec.get("terminationGracePeriodSeconds", 30)
    drain = 10
    check(pre_s + drain <= grace <= pre_s + drain + 15,
          f"terminationGracePeriodSeconds {grace} must cover the preStop ({pre_s} s) and the drain ({drain} s), with little slack")
    sc = {**spec.get("securityContext", {}), **c.get("securityContext", {})}
    check(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 10001,
          "the pod must run as non-root uid 10001 (the image's user)")

    # Configuration: the ConfigMap mounted where --config and scopes_file point.
    args = c.get("args", [])
    cfg_path = args[args.index("--config") + 1]
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    cm_mount = [mounts[n] for n, v in vols.items() if v.get("configMap", {}).get("name") == cm["metadata"]["name"]]
    check(len(cm_mount) == 1, "the ConfigMap is not mounted exactly once")
    check(os.path.dirname(cfg_path) == cm_mount[0] and os.path.basename(cfg_path) in cm["data"],
          f"--config {cfg_path} is not a key of the mounted ConfigMap ({cm_mount[0]})")
    toml_text = cm["data"][os.path.basename(cfg_path)]
    settings = tomllib.loads(toml_text)
    sf = settings.get("scopes_file")
    check(sf and os.path.dirname(sf) == cm_mount[0] and os.path.basename(sf) in cm["data"],
          f"scopes_file {sf} is not a key of the mounted ConfigMap")
    scopes = json.loads(cm["data"][os.path.basename(sf)])
    check(scopes == json.load(open(a.scopes, encoding="utf-8")),
          f"the ConfigMap's {os.path.basename(sf)} differs from {a.scopes}")
    port = int(settings.get("bind", "127.0.0.1:8080").rsplit(":", 1)[1])
    check(port in ports.values(), f"the config binds port {port}, the container exposes {ports}")
    with open(a.extract_config, "w", encoding="utf-8") as f:
        f.write(toml_text)

    sref = [e["secretRef"]["name"] for e in c.get("envFrom", []) if "secretRef" in e]
    check(sref == [sec["metadata"]["name"]], f"envFrom must name the Secret {sec['metadata']['name']}")
    keys = set(sec.get("stringData", {})) | set(sec.get("data", {}))
    need = {"DATABASE_URL", "REDIS_URL", "COCKPIT_ADMIN_TOKEN", "COCKPIT_SCREEN_SECRET"}
    check(need <= keys, f"the Secret lacks {sorted(need - keys)}")

    # Service, PDB, HPA, Ingress, ServiceMonitor all point at what exists.
    check(set(svc["spec"]["selector"].items()) <= set(labels.items()), "the Service's selector does not match the pods")
    svc_ports = {p["name"]: p for p in svc["spec"]["ports"]}
    for p in svc_ports.values():
        tp = p["targetPort"]
        check(tp in ports or tp in ports.values(), f"Service targetPort {tp} is not a container port")
    check(set(pdb["spec"]["selector"]["matchLabels"].items()) <= set(labels.items()), "the PDB's selector does not match the pods")
    check(hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment" and hpa["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"],
          "the HPA does not scale the Deployment")
    check(pdb["spec"].get("minAvailable", 0) < min(hpa["spec"]["minReplicas"], dep["spec"]["replicas"]),
          "the PDB's minAvailable would block every voluntary eviction")
    check(any(r.get("resource", {}).get("name") == "cpu" for r in hpa["spec"]["metrics"]), "the HPA must scale on cpu (requests set)")
    for rule in ing["spec"]["rules"]:
        for p in rule["http"]["paths"]:
            b = p["backend"]["service"]
            check(b["name"] == svc["metadata"]["name"] and (b["port"].get("name") in svc_ports or
                  b["port"].get("number") in [x["port"] for x in svc_ports.values()]),
                  f"the Ingress points at {b}, not at the Service's ports")

    # ServiceMonitor (a CRD: no schema in kubernetes-validate): structure and references.
    import jsonschema
    sm_schema = {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "monitoring.coreos.com/v1"},
            "kind": {"const": "ServiceMonitor"},
            "metadata": {"type": "object", "required": ["name", "namespace"]},
            "spec": {
                "type": "object",
                "required": ["selector", "endpoints"],
                "additionalProperties": False,
                "properties": {
                    "jobLabel": {"type": "string"},
                    "selector": {"type": "object", "required": ["matchLabels"],
                                 "properties": {"matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}}},
                    "namespaceSelector": {"type": "object", "properties": {"matchNames": {"type": "array", "items": {"type": "string"}}, "any": {"type": "boolean"}}, "additionalProperties": False},
                    "endpoints": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "additionalProperties": False,
                        "properties": {
                            "port": {"type": "string"}, "path": {"type": "string"}, "scheme": {"enum": ["http", "https"]},
                            "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                            "scrapeTimeout": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                            "honorLabels": {"type": "boolean"},
                        }}},
                },
            },
        },
    }
    jsonschema.validate(sm, sm_schema)
    check(set(sm["spec"]["selector"]["matchLabels"].items()) <= set(svc["metadata"].get("labels", {}).items()),
          "the ServiceMonitor's selector does not select the Service (it selects Services, by their labels)")
    for e in sm["spec"]["endpoints"]:
        check(e["port"] in svc_ports, f"ServiceMonitor endpoint port {e['port']} is not a named Service port")
        check(e.get("path", "/metrics") == "/metrics", "the ServiceMonitor must scrape /metrics")
    check(ns in sm["spec"].get("namespaceSelector", {}).get("matchNames", [ns]), "the ServiceMonitor does not look in the namespace")
    jl = sm["spec"].get("jobLabel")
    job = svc["metadata"]["labels"].get(jl) if jl else svc["metadata"]["name"]
    check(job == "cockpit", f"the ServiceMonitor gives job={job!r}; the alert rules select job=\"cockpit\"")
    say(f"kubernetes: {sum(len(v) for v in res.values())} resources reference each other correctly; "
        "ServiceMonitor checked against a structural schema (a CRD: kubernetes-validate has no schema for it); "
        "no COCKPIT_* service-link variables")


# --------------------------------------------------------------------------- compose

def cmd_compose_structure(a):
    base = os.path.dirname(os.path.abspath(a.compose))
    c = yaml.safe_load(open(a.compose, encoding="utf-8"))
    svcs = c["services"]
    for need in ("postgres", "redis", "nginx", "prometheus", "grafana"):
        check(need in svcs, f"compose has no {need} service")
    cockpits = [n for n, s in svcs.items() if "cockpit" in str(s.get("image", "")) or "build" in s]
    check(len(cockpits) >= 2, f"compose needs two cockpit instances, has {cockpits}")
    generated = {"./nginx/certs"}  # made by the operator (compose.yaml's header says how)
    for n, s in svcs.items():
        for v in s.get("volumes", []):
            src = v.split(":")[0]
            if src.startswith(".") and src not in generated:
                check(os.path.exists(os.path.join(base, src)), f"service {n} mounts {src}, which does not exist")
    # The config file every instance is given, with the port nginx and Prometheus use.
    cfg = None
    for n in cockpits:
        s = svcs[n]
        cmd = s.get("command", [])
        check("--config" in cmd, f"{n}: no --config")
        path = cmd[cmd.index("--config") + 1]
        srcs = [v.split(":")[0] for v in s["volumes"] if v.split(":")[1] == path]
        check(len(srcs) == 1, f"{n}: --config {path} is not mounted")
        cfg = os.path.join(base, srcs[0])
        settings = tomllib.load(open(cfg, "rb"))
        sf = settings.get("scopes_file")
        check(any(v.split(":")[1] == sf for v in s["volumes"]), f"{n}: scopes_file {sf} is not mounted")
        check(any(e.startswith("DATABASE_URL") or e == "DATABASE_URL" for e in s.get("environment", {})), f"{n}: no DATABASE_URL")
        check("healthcheck" not in s or s["healthcheck"].get("disable") is not True, f"{n}: healthcheck disabled")
    port = tomllib.load(open(cfg, "rb")).get("bind", "").rsplit(":", 1)[-1]
    want = {f"{n}:{port}" for n in cockpits}
    ng = open(os.path.join(base, "nginx/cockpit.conf"), encoding="utf-8").read()
    ups = set(re.findall(r"^\s*server\s+([\w.-]+:\d+)", ng, re.M))
    check(ups == want, f"nginx's upstream servers {sorted(ups)} are not the compose instances {sorted(want)}")
    prom = yaml.safe_load(open(os.path.join(base, "prometheus/prometheus.yml"), encoding="utf-8"))
    job = [j for j in prom["scrape_configs"] if j["job_name"] == "cockpit"][0]
    targets = {t for sc in job["static_configs"] for t in sc["targets"]}
    check(targets == want, f"Prometheus scrapes {sorted(targets)}, compose runs {sorted(want)}")
    with open(a.extract_config, "w", encoding="utf-8") as f:
        f.write(open(cfg, encoding="utf-8").read())
    say(f"compose: instances {cockpits} behind nginx and scraped by Prometheus on port {port}; every mounted file exists")


# --------------------------------------------------------------------------- dockerfiles

def healthcheck_cmd(path):
    text = open(path, encoding="utf-8").read().replace("\\\n", " ")
    m = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$", text, re.M)
    check(m, f"{path}: no HEALTHCHECK ... CMD [...] (exec form)")
    return json.loads(m.group(1))


def cmd_healthcheck(a):
    cmds = [healthcheck_cmd(p) for p in a.dockerfiles]
    check(all(c == cmds[0] for c in cmds), "the Dockerfiles' HEALTHCHECK commands differ")
    for p in a.dockerfiles:
        t = open(p, encoding="utf-8").read()
        check(re.search(r"^USER\s+10001", t, re.M), f"{p}: must run as uid 10001 (USER 10001)")
        check("COCKPIT_BIND=0.0.0.0:8080" in t, f"{p}: the probe expects the server on port 8080 (COCKPIT_BIND)")
    cmd = [x.replace("/8080", f"/{a.port}") for x in cmds[0]]
    check(cmd != cmds[0], "the probe does not name port 8080")
    r = subprocess.run(cmd, timeout=10)
    check(r.returncode == 0, f"the HEALTHCHECK probe failed against a live instance (exit {r.returncode})")
    bad = [x.replace("/8080", f"/{a.closed_port}") for x in cmds[0]]
    r = subprocess.run(bad, timeout=10, stderr=subprocess.DEVNULL)
    check(r.returncode != 0, "the HEALTHCHECK probe passes against a closed port")
    say(f"the image's HEALTHCHECK probe ({' '.join(cmds[0][:2])} ...) passes on a live /healthz and fails on a closed port")


def dockerignore_excludes(patterns, path):
    """Whether `path` (relative, with /) is left out of the build context by these
    .dockerignore patterns: the last matching pattern wins, `!` re-includes, and a
    pattern matching a parent directory matches everything under it."""
    import fnmatch
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    out = False
    for pat in patterns:
        neg = pat.startswith("!")
        p = pat[1:] if neg else pat
        p = p.strip("/")
        if any(fnmatch.fnmatchcase(x, p) or (p.startswith("**/") and fnmatch.fnmatchcase(x, p[3:])) for x in prefixes):
            out = not neg
    return out


def cmd_docker_context(a):
    """The images cannot be built here: check that what each build needs is in its
    context (not excluded by its .dockerignore) and that the prebuilt one's context
    holds nothing else."""
    def patterns(df):
        ign = df + ".dockerignore"
        check(os.path.exists(os.path.join(REPO, ign)), f"no {ign}")
        lines = open(os.path.join(REPO, ign), encoding="utf-8").read().splitlines()
        return [x.strip() for x in lines if x.strip() and not x.strip().startswith("#")]

    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    # deploy/Dockerfile runs `cargo build`: the manifest, lock file, build script, the
    # crate's sources, and every file they embed at compile time.
    need = [f for f in tracked if f.split("/")[0] in ("src", "migrations", "assets", "dashboard-schema", "benches")]
    need += ["Cargo.toml", "Cargo.lock", "build.rs"]
    for f in tracked:
        if f.startswith("src/") and f.endswith(".rs"):
            text = open(os.path.join(REPO, f), encoding="utf-8").read()
            for m in re.finditer(r'include_(?:str|bytes)!\("([^"]+)"\)', text):
                need.append(os.path.normpath(os.path.join(os.path.dirname(f), m.group(1))))
    pats = patterns("deploy/Dockerfile")
    for df in ("deploy/Dockerfile", "deploy/Dockerfile.prebuilt"):
        for m in re.finditer(r"^COPY\s+(?!--from)(?:--\S+\s+)*(\S+)\s+\S+\s*$", open(os.path.join(REPO, df), encoding="utf-8").read(), re.M):
            src = m.group(1)
            if src == ".":
                continue
            if df == "deploy/Dockerfile":
                need.append(src)
    missing = sorted({f for f in need if dockerignore_excludes(pats, f)})
    check(not missing, f"deploy/Dockerfile's build needs files its .dockerignore leaves out: {missing[:10]}")
    check(dockerignore_excludes(pats, ".git/HEAD") and dockerignore_excludes(pats, "target/debug/cockpit"),
          "deploy/Dockerfile.dockerignore must keep .git and target/ out of the context")
    pre = patterns("deploy/Dockerfile.prebuilt")
    for f in ("target/release/cockpit", "deploy/nanan-scopes.json"):
        check(not dockerignore_excludes(pre, f), f"deploy/Dockerfile.prebuilt's context leaves out {f}")
    extra = [f for f in tracked if not dockerignore_excludes(pre, f) and f != "deploy/nanan-scopes.json"]
    check(not extra, f"deploy/Dockerfile.prebuilt's context lets in more than the binary: {extra[:5]}")
    say(f"build contexts: deploy/Dockerfile has all {len(set(need))} files cargo needs, without .git and target/; "
        "deploy/Dockerfile.prebuilt's holds only the binary and the scopes file")


# --------------------------------------------------------------------------- adapt configs

def cmd_adapt_nginx(a):
    src = open(a.conf, encoding="utf-8").read()
    ups = a.upstreams.split(",")
    subs = [
        (r"server cockpit-1:8080", f"server {ups[0]}"),
        (r"server cockpit-2:8080", f"server {ups[1]}"),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{a.https_port} ssl;"),
        (r"listen 80;", f"listen 127.0.0.1:{a.http_port};"),
        (r"/etc/nginx/certs/fullchain.pem", a.cert),
        (r"/etc/nginx/certs/privkey.pem", a.key),
    ]
    out = src
    for old, new in subs:
        n = out.count(old)
        check(n == 1, f"{a.conf}: expected '{old}' once, found {n} times (the check adapts only these lines)")
        out = out.replace(old, new)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "cockpit.conf"), "w", encoding="utf-8") as f:
        f.write(out)
    mime = "/etc/nginx/mime.types"
    with open(os.path.join(a.out, "nginx.conf"), "w", encoding="utf-8") as f:
        f.write(f"""# deploy-check: a throwaway nginx around the shipped deploy/nginx/cockpit.conf
worker_processes 1;
pid {a.out}/nginx.pid;
error_log {a.out}/error.log info;
events {{ worker_connections 1024; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log {a.out}/access.log;
    client_body_temp_path {a.out}/tmp/body;
    proxy_temp_path {a.out}/tmp/proxy;
    fastcgi_temp_path {a.out}/tmp/fastcgi;
    uwsgi_temp_path {a.out}/tmp/uwsgi;
    scgi_temp_path {a.out}/tmp/scgi;
    include {a.out}/cockpit.conf;
}}
""")
    say(f"nginx config adapted to loopback (upstreams {ups}, https {a.https_port}, http {a.http_port})")


def cmd_adapt_prometheus(a):
    cfg = yaml.safe_load(open(a.conf, encoding="utf-8"))
    base = os.path.dirname(os.path.abspath(a.conf))
    cfg["global"]["scrape_interval"] = a.interval
    cfg["global"]["evaluation_interval"] = a.interval
    rule_files = [os.path.join(base, r) for r in cfg.get("rule_files", [])]
    check(rule_files and all(glob.glob(r) for r in rule_files), f"rule_files {cfg.get('rule_files')} match no file")
    cfg["rule_files"] = rule_files
    jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
    check("cockpit" in jobs, "no scrape job named cockpit")
    job = jobs["cockpit"]
    check(len(job["static_configs"]) == 1, "the cockpit job should have one static_configs entry")
    job["static_configs"][0]["targets"] = a.targets.split(",")
    jobs["prometheus"]["static_configs"][0]["targets"] = [f"127.0.0.1:{a.self_port}"]
    with open(a.out, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    say(f"prometheus config adapted: targets {a.targets}, every {a.interval}, rules {rule_files}")


# --------------------------------------------------------------------------- HTTP

class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to check, not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


class Http:
    def __init__(self, base, ca=None, token=None):
        self.base = base.rstrip("/")
        self.token = token
        self.ctx = None
        if base.startswith("https"):
            self.ctx = ssl.create_default_context(cafile=ca)

    def req(self, method, path, body=None, token=None, headers=None, expect=None, raw=False):
        url = self.base + path
        data = None
        h = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        tok = token or self.token
        if tok:
            h["Authorization"] = f"Bearer {tok}"
        h.update(headers or {})
        r = urllib.request.Request(url, data=data, method=method, headers=h)
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.ctx), NoRedirect())
        try:
            with opener.open(r, timeout=30) as resp:
                status, hdrs, payload = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, e.headers, e.read()
        if expect is not None:
            ok = status in expect if isinstance(expect, (list, tuple, set)) else status == expect
            check(ok, f"{method} {url}: expected {expect}, got {status}: {payload[:300]!r}")
        if raw:
            return status, hdrs, payload
        if hdrs.get("Content-Encoding") == "gzip":
            payload = gzip.decompress(payload)
        try:
            return status, json.loads(payload) if payload else None
        except ValueError:
            return status, payload.decode(errors="replace")


def wait_http(url, timeout=30, ca=None):
    ctx = ssl.create_default_context(cafile=ca) if url.startswith("https") else None
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, context=ctx, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception as e:  # noqa: BLE001 - anything: not up yet
            last = e
        time.sleep(0.2)
    raise Fail(f"{url} did not answer 200 within {timeout} s ({last})")


def cmd_wait(a):
    wait_http(a.url, a.timeout, a.ca)


# --------------------------------------------------------------------------- data set

SH = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, the deployment's zone
DAYS = [dt.date(2026, 10, 20), dt.date(2026, 10, 21), dt.date(2026, 10, 22)]
COMMUNITIES = [
    "nanan.changshengqiao.tongjing", "nanan.nanping.zhengjie", "nanan.danzishi.qunhuicun",
    "nanan.nanpingzhen.xinglong", "nanan.huayuanlu.jinyan",
]
CATEGORIES = ["street_light", "garbage", "parking", "noise", "water", "road", "greening", "dispute"]
EVENT_KINDS = ["health_lecture", "dance", "calligraphy", "legal_aid"]


def iso(t):
    return t.isoformat(timespec="seconds")


def dataset():
    """A small deterministic district: ~60 tickets with their closed loops, 15
    events and their check-ins, on three fixed past days. Returns
    [(path, records)] in the order to post them."""
    rng = random.Random(20261020)
    tickets, steps, events, checkins = [], [], [], []
    n = 0
    for day in DAYS:
        for com in COMMUNITIES:
            for g in range(1, 5):
                for _ in range(rng.choice([0, 1, 1])):
                    n += 1
                    tid = f"dc-t{n:03d}"
                    at = dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=SH) + dt.timedelta(minutes=rng.randrange(0, 12 * 60))
                    tickets.append({"id": tid, "scope": f"{com}.g{g:02d}", "category": rng.choice(CATEGORIES),
                                    "reported_at": iso(at), "description": f"deploy-check ticket {n}",
                                    "location": f"楼栋 {rng.randrange(1, 30)}"})
                    path = rng.choice([[], ["dispatched"], ["dispatched", "in_progress"], ["resolved"],
                                       ["dispatched", "resolved"], ["dispatched", "in_progress", "resolved", "closed"],
                                       ["dispatched", "resolved", "closed"], ["dispatched", "resolved", "reopened", "dispatched"],
                                       ["dispatched", "in_progress", "resolved", "reopened", "resolved", "closed"]])
                    t = at
                    for k, to in enumerate(path):
                        t = t + dt.timedelta(minutes=rng.randrange(20, 60 * 30))
                        steps.append({"id": f"{tid}-s{k + 1}", "ticket_id": tid, "to": to, "at": iso(t),
                                      "assignee": f"worker-{rng.randrange(1, 9):02d}", "note": ""})
            e = len(events) + 1
            start = dt.datetime(day.year, day.month, day.day, 9 + rng.randrange(0, 9), 0, tzinfo=SH)
            status = rng.choice(["held", "held", "held", "scheduled", "cancelled"])
            events.append({"id": f"dc-e{e:02d}", "scope": com, "category": rng.choice(EVENT_KINDS),
                           "title": f"deploy-check event {e}", "starts_at": iso(start), "status": status})
            if status == "held":
                for c in range(rng.randrange(3, 7)):
                    checkins.append({"id": f"dc-e{e:02d}-c{c + 1}", "event_id": f"dc-e{e:02d}", "scope": com,
                                     "at": iso(start + dt.timedelta(minutes=5 * c)), "count": rng.randrange(1, 4),
                                     "person": f"p{rng.randrange(1, 40):03d}"})
    # One step arrives late (earlier than the ticket's newest): recorded, changes nothing.
    late = next(s for s in steps if s["to"] == "closed")
    steps.append({**late, "id": late["id"] + "-late", "to": "reopened",
                  "at": iso(dt.datetime.fromisoformat(late["at"]) - dt.timedelta(hours=2))})
    return [("/api/v1/events", events), ("/api/v1/attendance", checkins),
            ("/api/v1/tickets", tickets), ("/api/v1/transitions", steps)]


def post_dataset(http, key):
    total = 0
    for path, records in dataset():
        st, body = http.req("POST", path, records, token=key)
        accepted = body.get("accepted", 0) + body.get("duplicates", 0)
        # The late step is accepted (recorded); anything rejected is a broken data set.
        check(st == 200 and accepted == len(records),
              f"POST {path}: {st} {json.dumps(body, ensure_ascii=False)[:400]}")
        total += len(records)
    # Posting it all again changes nothing: every record is a duplicate.
    for path, records in dataset():
        st, body = http.req("POST", path, records, token=key)
        check(st == 200 and body.get("duplicates") == len(records), f"re-POST {path}: {st} {body}")
    return total


def cmd_fill(a):
    http = Http(a.url, a.ca)
    n = post_dataset(http, a.key)
    say(f"posted the deterministic data set ({n} records, then again as duplicates) to {a.url}")


# --------------------------------------------------------------------------- figures

VOLATILE = {"as_of", "live", "screens", "alerts", "overdue", "workload", "open_tickets"}


def scope_ids(http, token):
    _, body = http.req("GET", "/api/v1/scopes", token=token, expect=200)
    out = []

    def walk(nodes):
        for s in nodes:
            out.append(s["id"])
            walk(s.get("children", []))

    walk(body["scopes"])
    return out


def snapshot(http, token, days):
    """Every scope's dashboard for each day, without what depends on the moment."""
    out = {}
    for sid in scope_ids(http, token):
        for day in days:
            q = f"?day={day}" if day != "today" else ""
            _, d = http.req("GET", f"/api/v1/scopes/{sid}/dashboard{q}", token=token, expect=200)
            for k in VOLATILE:
                d.pop(k, None)
            if day == "today":
                d.pop("day", None)
                # Today's counts move with the clock: keep what a restore must reproduce.
                figs = d.get("figures", {})
                for k in ("tickets_overdue", "tickets_due_soon"):
                    figs.pop(k, None)
                for ch in d.get("children", []):
                    for k in ("tickets_overdue", "tickets_due_soon"):
                        ch.get("figures", {}).pop(k, None)
            out[f"{sid}@{day}"] = d
    return out


def cmd_figures(a):
    http = Http(a.url, a.ca)
    days = [str(d) for d in DAYS] + (["today"] if a.today else [])
    snap = snapshot(http, a.token, days)
    check(any(v.get("figures", {}).get("tickets_reported") for v in snap.values()), "every dashboard is empty")
    with open(a.out, "w", encoding="utf-8") as f:  # one dashboard a line: small, and diffs read well
        f.write("{\n" + ",\n".join(
            json.dumps(k) + ": " + json.dumps(snap[k], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            for k in sorted(snap)) + "\n}\n")
    say(f"recorded {len(snap)} dashboards ({len(days)} days) from {a.url} into {a.out}")


def subset_equal(exp, act):
    """exp's keys all in act with equal values (recursively); act may have more
    (a figure or field added since the release that recorded exp)."""
    if isinstance(exp, dict):
        return isinstance(act, dict) and all(k in act and subset_equal(v, act[k]) for k, v in exp.items())
    if isinstance(exp, list):
        return isinstance(act, list) and len(exp) == len(act) and all(subset_equal(e, x) for e, x in zip(exp, act))
    return exp == act


def drop_path(doc, path):
    """Removes `path` (dot-separated keys, `*` for every list item) from doc."""
    head, _, rest = path.partition(".")
    if head == "*" and isinstance(doc, list):
        for item in doc:
            drop_path(item, rest)
    elif isinstance(doc, dict) and head in doc:
        if rest:
            drop_path(doc[head], rest)
        else:
            doc.pop(head)


def cmd_compare(a):
    x = json.load(open(a.expected, encoding="utf-8"))
    y = json.load(open(a.actual, encoding="utf-8"))
    for path in a.drop or []:
        for doc in (x, y):
            for d in doc.values():
                drop_path(d, path)
    diffs = []
    for k in sorted(set(x) | set(y)):
        same = subset_equal(x.get(k), y.get(k)) if a.subset and k in x else x.get(k) == y.get(k)
        if not same:
            diffs.append(k)
    for k in diffs[:5]:
        print(f"  {k}:\n    expected {json.dumps(x.get(k), ensure_ascii=False, sort_keys=True)[:600]}\n"
              f"    actual   {json.dumps(y.get(k), ensure_ascii=False, sort_keys=True)[:600]}", file=sys.stderr)
    check(not diffs, f"{len(diffs)} of {len(x)} dashboards differ ({a.what})")
    say(f"{a.what}: all {len(x)} dashboards identical")


# --------------------------------------------------------------------------- live: nginx

def ws_connect(url, ca=None, origin=None, headers=None, source=None, timeout=10):
    from websockets.sync.client import connect
    kw = {"open_timeout": timeout, "close_timeout": 3, "max_size": 8 * 1024 * 1024, "legacy": True}
    if url.startswith("wss"):
        kw["ssl"] = ssl.create_default_context(cafile=ca)
    if origin:
        kw["origin"] = origin
    if headers:
        kw["additional_headers"] = headers
    if source:
        u = urllib.parse.urlsplit(url)
        kw["sock"] = socket.create_connection((u.hostname, u.port), timeout=timeout, source_address=(source, 0))
    return connect(url, **kw)


def ws_status(url, **kw):
    """The HTTP status of an upgrade attempt: 101, or the refusal's status."""
    from websockets.exceptions import InvalidStatus
    started = time.monotonic()
    try:
        ws = ws_connect(url, **kw)
    except InvalidStatus as e:
        return e.response.status_code, None
    except Exception as e:  # a handshake that never answered: say what and when, not a traceback
        redacted = re.sub(r"token=[^&]*", "token=…", url)
        check(False, f"upgrade {redacted}: {type(e).__name__}: {e} after {time.monotonic() - started:.1f} s")
    return 101, ws


def recv_json(ws, timeout=10):
    return json.loads(ws.recv(timeout=timeout))


def ws_count(instances):
    n = []
    for base in instances:
        with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
            text = r.read().decode()
        m = re.search(r"^cockpit_ws_connections (\S+)$", text, re.M)
        n.append(int(float(m.group(1))) if m else 0)
    return n


def today_records(tag):
    """Records of today, minutes old, through the ticket's closed loop, so that
    today's rates and durations have values: one ticket resolved and closed, one
    resolved and reopened, one left open; an event held with check-ins."""
    now = dt.datetime.now(SH).replace(microsecond=0)
    t0 = max(now - dt.timedelta(minutes=30), now.replace(hour=0, minute=0, second=0))
    at = lambda m: iso(min(t0 + dt.timedelta(minutes=m), now))  # noqa: E731
    g = "nanan.nanping.zhengjie.g01"
    tickets = [{"id": f"{tag}-t{i}", "scope": g, "category": c, "reported_at": at(0),
                "description": "deploy-check: today", "location": "正街 1 号"}
               for i, c in enumerate(["garbage", "parking", "street_light"], 1)]
    steps = [
        {"id": f"{tag}-t1-s1", "ticket_id": f"{tag}-t1", "to": "dispatched", "at": at(2), "assignee": "worker-01"},
        {"id": f"{tag}-t1-s2", "ticket_id": f"{tag}-t1", "to": "resolved", "at": at(5), "assignee": "worker-01"},
        {"id": f"{tag}-t1-s3", "ticket_id": f"{tag}-t1", "to": "closed", "at": at(6), "assignee": "worker-01"},
        {"id": f"{tag}-t2-s1", "ticket_id": f"{tag}-t2", "to": "resolved", "at": at(3), "assignee": "worker-02"},
        {"id": f"{tag}-t2-s2", "ticket_id": f"{tag}-t2", "to": "reopened", "at": at(7), "assignee": "worker-02"},
    ]
    events = [{"id": f"{tag}-e1", "scope": "nanan.nanping.zhengjie", "category": "health_lecture",
               "title": "健康大讲堂", "starts_at": at(0), "status": "held"}]
    checkins = [{"id": f"{tag}-e1-c{i}", "event_id": f"{tag}-e1", "scope": "nanan.nanping.zhengjie",
                 "at": at(1), "count": 1, "person": f"r{i}"} for i in range(1, 6)]
    return [("/api/v1/events", events), ("/api/v1/attendance", checkins),
            ("/api/v1/tickets", tickets), ("/api/v1/transitions", steps)]


def cmd_live_nginx(a):
    ca = a.ca
    edge = Http(a.edge, ca)
    host = urllib.parse.urlsplit(a.edge).netloc
    wss = "wss://" + host
    instances = a.instances.split(",")
    state = {}

    # Healthy through the proxy; /metrics is not served to the outside.
    edge.req("GET", "/readyz", expect=200)
    edge.req("GET", "/metrics", expect=404)
    st, hdrs, _ = Http(a.edge.replace("https://", "http://").replace(f":{a.https_port}", f":{a.http_port}")).req(
        "GET", "/api/v1/scopes", raw=True)
    check(st == 301 and hdrs.get("Location", "").startswith("https://"), f"plain HTTP should redirect to https, got {st}")
    say("nginx: /readyz through TLS, /metrics refused (404), plain HTTP redirected to https")

    # Credentials through the admin API (the deployment is secured).
    _, key = edge.req("POST", "/api/v1/admin/keys", {"scope": "nanan", "label": "deploy-check"}, token=a.admin_token, expect=201)
    _, st_tok = edge.req("POST", "/api/v1/admin/screen-tokens", {"scope": "nanan", "ttl_secs": 7200}, token=a.admin_token, expect=201)
    state["key"], state["screen_token"] = key["key"], st_tok["token"]
    edge.req("POST", "/api/v1/tickets", {"id": "x", "scope": "nanan", "category": "garbage", "reported_at": iso(dt.datetime.now(SH))},
             expect=401)

    # A screen over wss through nginx gets its snapshot.
    screen_url = f"{wss}/api/v1/ws?scope=nanan.nanping&screen=deploy-check-a&token={state['screen_token']}"
    status, ws = ws_status(screen_url, ca=ca, origin=f"https://{host}")
    check(status == 101, f"wss upgrade through nginx with the page's own Origin: {status}")
    snap = recv_json(ws)
    check(snap["type"] == "snapshot" and snap["scope"] == "nanan.nanping", f"first message: {snap}")
    before = snap["data"]["figures"]["tickets_reported"]
    say(f"wss through nginx: snapshot of nanan.nanping (seq {snap['seq']}, tickets_reported {before})")

    # Ingest through nginx: the data set, today's records, and a rejected record.
    n = post_dataset(edge, state["key"])
    for path, records in today_records("dc-today"):
        st, body = edge.req("POST", path, records, token=state["key"])
        check(st == 200 and body["accepted"] + body["duplicates"] == len(records), f"POST {path}: {st} {body}")
    st, body = edge.req("POST", "/api/v1/tickets", [{"id": "dc-bad", "scope": "nanan.nowhere", "category": "garbage",
                                                      "reported_at": iso(dt.datetime.now(SH))}], token=state["key"])
    check(st == 422 and body["rejected"][0]["field"] == "scope", f"a ticket for an unknown scope: {st} {body}")
    say(f"ingest through nginx: {n} records of the data set, today's closed loop, one reject (422 on field scope)")

    # The screen is pushed the new figures.
    deadline = time.time() + 10
    seen = before
    while time.time() < deadline and seen < before + 3:
        m = recv_json(ws)
        if m["type"] in ("update", "snapshot"):
            seen = m["data"]["figures"]["tickets_reported"]
    check(seen >= before + 3, f"the screen was not pushed today's tickets (tickets_reported {before} -> {seen})")
    ws.close()
    say(f"the screen was pushed the ingested tickets (tickets_reported {before} -> {seen})")

    # gzip for the API's JSON.
    st, hdrs, payload = edge.req("GET", "/api/v1/scopes/nanan/dashboard", token=state["screen_token"],
                                 headers={"Accept-Encoding": "gzip"}, raw=True)
    check(st == 200 and hdrs.get("Content-Encoding") == "gzip", f"dashboard JSON not gzipped through nginx ({st}, {hdrs.get('Content-Encoding')})")
    check(json.loads(gzip.decompress(payload))["scope"] == "nanan", "gzipped dashboard does not decode")
    say(f"gzip: the dashboard JSON comes compressed ({len(payload)} bytes)")

    # The Origin check with forwarded headers.
    status, _ = ws_status(screen_url, ca=ca, origin="https://evil.example")
    check(status == 403, f"a foreign Origin through nginx must be refused (403), got {status}")
    direct = instances[0].replace("http://", "ws://")
    durl = f"{direct}/api/v1/ws?scope=nanan&token={state['screen_token']}"
    u = urllib.parse.urlsplit(instances[0])
    status, w = ws_status(durl, origin=f"http://{u.netloc}")
    check(status == 101, f"direct, with the instance's own Origin: {status}")
    w.close()
    spoof = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    if a.trusted_proxies:
        # The instance trusts 127.0.0.1/32 (nginx) only: the same headers from 127.0.0.2 are ignored.
        status, _ = ws_status(durl, origin="https://evil.example", headers=spoof, source="127.0.0.2")
        check(status == 403, f"forwarded headers from an untrusted address must be ignored (403), got {status}")
        status, w = ws_status(durl, origin="https://evil.example", headers=spoof, source="127.0.0.1")
        check(status == 101, f"forwarded headers from the trusted proxy must be honoured (101), got {status}")
        w.close()
        say("origin: own origin via nginx 101, foreign 403; forwarded headers honoured from 127.0.0.1 only")
    else:
        check(False, "the server's print-config lists no trusted_proxies: forwarded headers cannot be checked")

    # A screen survives the restart of the instance behind it.
    deadline = time.time() + 10
    while sum(ws_count(instances)) != 0 and time.time() < deadline:
        time.sleep(0.2)
    url = f"{wss}/api/v1/ws?scope=nanan.nanping.zhengjie&screen=deploy-check-restart&token={state['screen_token']}"
    ws = ws_connect(url, ca=ca, origin=f"https://{host}")
    first = recv_json(ws)
    check(first["type"] == "snapshot", f"first message {first}")
    deadline = time.time() + 10
    while time.time() < deadline:
        counts = ws_count(instances)
        if sorted(counts) == [0, 1]:
            break
        time.sleep(0.2)
    check(sorted(counts) == [0, 1], f"could not tell which instance holds the screen: sockets {counts}")
    behind = counts.index(1)
    say(f"restart: the screen is on instance {behind + 1}; restarting it")
    subprocess.run(a.restart_cmd.split() + [str(behind + 1)], check=True)
    from websockets.exceptions import ConnectionClosed
    code = None
    try:
        while True:
            ws.recv(timeout=15)
    except ConnectionClosed as e:
        code = e.rcvd.code if e.rcvd else None
    except TimeoutError:
        raise Fail("the screen's connection stayed open through the restart of its instance")
    check(code == 1001, f"the restarting instance should close screens with 1001 (going away), got {code}")
    # Reconnect as the wall screen does, resuming from its last seq.
    ws = ws_connect(url + f"&since={first['seq']}", ca=ca, origin=f"https://{host}")
    again = recv_json(ws)
    check(again["type"] == "snapshot", f"after reconnecting: {again}")
    before = again["data"]["figures"]["tickets_reported"]
    st, body = edge.req("POST", "/api/v1/tickets", {"id": "dc-after-restart", "scope": "nanan.nanping.zhengjie.g02",
                                                     "category": "noise", "reported_at": iso(dt.datetime.now(SH))},
                        token=state["key"], expect=200)
    deadline = time.time() + 10
    seen = before
    while time.time() < deadline and seen <= before:
        m = recv_json(ws)
        if m["type"] in ("update", "snapshot"):
            seen = m["data"]["figures"]["tickets_reported"]
    check(seen == before + 1, f"after the restart the screen was not pushed the new ticket ({before} -> {seen})")
    ws.close()
    say(f"restart: closed with 1001, reconnected through nginx (snapshot '{again.get('reason')}'), "
        f"then pushed a new ticket ({before} -> {seen})")
    with open(a.state, "w", encoding="utf-8") as f:
        json.dump(state, f)


# --------------------------------------------------------------------------- prometheus

def prom_query(prom, expr):
    url = f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        body = json.loads(e.read() or b"{}")
    if body.get("status") != "success":
        raise Fail(f"Prometheus refused {expr!r}: {body.get('errorType')}: {body.get('error')}")
    return body["data"]["result"]


def label_values_query(q):
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", q)
    check(m, f"variable query {q!r}: only label_values(selector, label) is supported here")
    return f"group by ({m.group(2)}) ({m.group(1)})", m.group(2)


def cmd_prom_eval(a):
    prom = a.prom
    # Both targets up, scraped a few times.
    deadline = time.time() + 60
    while time.time() < deadline:
        up = prom_query(prom, 'up{job="cockpit"}')
        ok = [r for r in up if r["value"][1] == "1"]
        cnt = prom_query(prom, 'count_over_time(up{job="cockpit"}[5m])')
        if len(ok) == 2 and len(cnt) == 2 and min(int(r["value"][1]) for r in cnt) >= 4:
            break
        time.sleep(1)
    else:
        raise Fail(f"Prometheus did not scrape both instances (up: {up})")
    say("prometheus: both instances up, scraped at least 4 times")

    existing = {m: bool(prom_query(prom, f'count({{__name__="{m}"}})')) for m in ALLOWED_MISSING_METRICS}
    panels = fails = 0
    allowed = []
    for path in a.dashboards:
        d = json.load(open(path, encoding="utf-8"))
        name = os.path.basename(path)
        values = {}
        for v in d["templating"]["list"]:
            if v["type"] == "datasource":
                continue
            values[v["name"]] = v["current"]["value"]
        for v in d["templating"]["list"]:
            if v["type"] != "query":
                continue
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            expr, label = label_values_query(substitute(q, values))
            got = [r["metric"].get(label) for r in prom_query(prom, expr)]
            if v.get("regex"):
                rx = v["regex"].strip("/")
                got = [g for g in got if g and re.search(rx, g)]
            check(v["current"]["value"] in got,
                  f"{name}: variable {v['name']} defaults to {v['current']['value']!r}, its query offers {got}")
        for title, expr in panel_exprs(d):
            q = substitute(expr, values)
            panels += 1
            try:
                res = prom_query(prom, q)
            except Fail as e:
                print(f"  FAIL {name}: {title}: {e}", file=sys.stderr)
                fails += 1
                continue
            if not res:
                missing = [m for m in ALLOWED_MISSING_METRICS if m in q and not existing[m]]
                if missing:
                    allowed.append(f"{title} ({', '.join(missing)})")
                    continue
                print(f"  FAIL {name}: {title}: no data for {q}", file=sys.stderr)
                fails += 1
    alerts = rule_alerts(a.rules)
    for alert, expr in alerts:
        try:
            prom_query(prom, expr)
        except Fail as e:
            print(f"  FAIL alert {alert}: {e}", file=sys.stderr)
            fails += 1
    # The rules as Prometheus itself evaluates them: loaded, healthy.
    with urllib.request.urlopen(f"{prom}/api/v1/rules", timeout=10) as r:
        groups = json.load(r)["data"]["groups"]
    loaded = {r["name"]: r for g in groups for r in g["rules"]}
    for alert, _ in alerts:
        r = loaded.get(alert)
        if not r:
            print(f"  FAIL alert {alert}: not loaded by Prometheus", file=sys.stderr)
            fails += 1
        elif r.get("health") not in ("ok", "unknown") or r.get("lastError"):
            print(f"  FAIL alert {alert}: {r.get('health')} {r.get('lastError')}", file=sys.stderr)
            fails += 1
    firing = [r["name"] for r in loaded.values() if r.get("state") == "firing"]
    check(not fails, f"{fails} panel queries or alert expressions failed in Prometheus")
    say(f"prometheus: {panels} panel queries returned data, {len(alerts)} alert expressions evaluated "
        f"without error and loaded healthy" + (f"; firing now: {firing}" if firing else ""))
    if allowed:
        say(f"allowed-missing (ALLOWED_MISSING_METRICS, not exported by this server yet): {allowed}")


# --------------------------------------------------------------------------- screens for prometheus

def cmd_hold_screen(a):
    """Hold one screen open through nginx for a.seconds (so cockpit_screens has
    an online screen while Prometheus scrapes), acknowledging what it receives."""
    ws = ws_connect(a.url, ca=a.ca)
    end = time.time() + a.seconds
    while time.time() < end:
        try:
            m = recv_json(ws, timeout=max(0.1, min(2, end - time.time())))
            ws.send(json.dumps({"type": "ack", "seq": m["seq"]}))
        except TimeoutError:
            pass
    ws.close()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("rules-coverage")
    s.add_argument("--rules", nargs="+", required=True)
    s.add_argument("--tests", nargs="+", required=True)
    s.set_defaults(f=cmd_rules_coverage)

    s = sub.add_parser("lint-max")
    s.add_argument("--rules", nargs="+", required=True)
    s.add_argument("--dashboards", nargs="+", required=True)
    s.set_defaults(f=cmd_lint_max)

    s = sub.add_parser("grafana-structure")
    s.add_argument("--dashboards", nargs="+", required=True)
    s.add_argument("--provisioning", required=True)
    s.add_argument("--datasources", required=True)
    s.add_argument("--compose", required=True)
    s.set_defaults(f=cmd_grafana_structure)

    s = sub.add_parser("k8s-structure")
    s.add_argument("--dir", required=True)
    s.add_argument("--scopes", required=True)
    s.add_argument("--extract-config", required=True)
    s.set_defaults(f=cmd_k8s_structure)

    s = sub.add_parser("compose-structure")
    s.add_argument("--compose", required=True)
    s.add_argument("--extract-config", required=True)
    s.set_defaults(f=cmd_compose_structure)

    s = sub.add_parser("healthcheck")
    s.add_argument("--dockerfiles", nargs="+", required=True)
    s.add_argument("--port", required=True)
    s.add_argument("--closed-port", required=True)
    s.set_defaults(f=cmd_healthcheck)

    s = sub.add_parser("docker-context")
    s.set_defaults(f=cmd_docker_context)

    s = sub.add_parser("adapt-nginx")
    s.add_argument("--conf", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--upstreams", required=True)
    s.add_argument("--https-port", required=True)
    s.add_argument("--http-port", required=True)
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    s.set_defaults(f=cmd_adapt_nginx)

    s = sub.add_parser("adapt-prometheus")
    s.add_argument("--conf", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--targets", required=True)
    s.add_argument("--self-port", required=True)
    s.add_argument("--interval", default="2s")
    s.set_defaults(f=cmd_adapt_prometheus)

    s = sub.add_parser("wait")
    s.add_argument("url")
    s.add_argument("--timeout", type=float, default=30)
    s.add_argument("--ca")
    s.set_defaults(f=cmd_wait)

    s = sub.add_parser("fill")
    s.add_argument("--url", required=True)
    s.add_argument("--key")
    s.add_argument("--ca")
    s.set_defaults(f=cmd_fill)

    s = sub.add_parser("figures")
    s.add_argument("--url", required=True)
    s.add_argument("--token")
    s.add_argument("--ca")
    s.add_argument("--today", action="store_true")
    s.add_argument("--out", required=True)
    s.set_defaults(f=cmd_figures)

    s = sub.add_parser("compare")
    s.add_argument("--expected", required=True)
    s.add_argument("--actual", required=True)
    s.add_argument("--what", required=True)
    s.add_argument("--subset", action="store_true", help="actual may carry fields that expected lacks")
    s.add_argument("--drop", action="append", help="a field whose meaning changed since expected was recorded "
                   "(dot path, * for each list item), left out of both")
    s.set_defaults(f=cmd_compare)

    s = sub.add_parser("live-nginx")
    s.add_argument("--edge", required=True)
    s.add_argument("--https-port", required=True)
    s.add_argument("--http-port", required=True)
    s.add_argument("--ca", required=True)
    s.add_argument("--instances", required=True)
    s.add_argument("--admin-token", required=True)
    s.add_argument("--restart-cmd", required=True)
    s.add_argument("--trusted-proxies", type=int, default=0)
    s.add_argument("--state", required=True)
    s.set_defaults(f=cmd_live_nginx)

    s = sub.add_parser("hold-screen")
    s.add_argument("--url", required=True)
    s.add_argument("--ca")
    s.add_argument("--seconds", type=float, default=30)
    s.set_defaults(f=cmd_hold_screen)

    s = sub.add_parser("prom-eval")
    s.add_argument("--prom", required=True)
    s.add_argument("--dashboards", nargs="+", required=True)
    s.add_argument("--rules", nargs="+", required=True)
    s.set_defaults(f=cmd_prom_eval)

    a = p.parse_args()
    try:
        a.f(a)
    except Fail as e:
        print(f"deploy-check: FAIL ({a.cmd}): {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
