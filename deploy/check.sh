#!/usr/bin/env bash
# Checks deploy/ without a container engine or a cluster: the compose file parses and says what the bridge needs,
# the Kubernetes manifests are valid YAML with the expected kinds and agree with each other, the examples are
# well-formed, the Dockerfile has its required parts, and the systemd unit passes `systemd-analyze verify` (when
# systemd-analyze exists). Optional tools are used when present: `docker compose config`, `kubectl kustomize`,
# `hadolint`. Prints one line per check; exits 1 if any check failed.
set -uo pipefail
cd "$(dirname "$0")"

failures=0
ok() { echo "ok    $*"; }
skip() { echo "skip  $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }

if ! command -v python3 >/dev/null 2>&1; then
  fail "python3 is needed for the YAML checks"
  exit 1
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  fail "python3 cannot import yaml (apt-get install python3-yaml, or pip install pyyaml)"
  exit 1
fi

# --- YAML and JSON: structure and consistency ----------------------------------------------------------------
python3 - <<'PY'
import json, re, sys, pathlib, yaml

problems = []
def check(condition, message):
    if not condition:
        problems.append(message)
    return condition

def seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)?", str(text))
    if not m: return None
    n = int(m.group(1)); unit = m.group(2) or "s"
    return n / 1000 if unit == "ms" else n * {"s": 1, "m": 60, "h": 3600}[unit]

SHUTDOWN_GRACE = 25  # pipeline.shutdownGrace default, seconds

# docker-compose.yml
compose = yaml.safe_load(pathlib.Path("docker-compose.yml").read_text())
services = compose.get("services", {})
check(set(services) >= {"postgres", "bridge", "sandbox"}, "compose: services postgres, bridge and sandbox")
bridge = services.get("bridge", {})
check(bridge.get("command") == ["serve"], "compose: bridge runs `serve` (which migrates on start)")
check(bridge.get("environment", {}).get("BRIDGE_HOST") == "0.0.0.0", "compose: bridge listens on 0.0.0.0")
check(bridge.get("env_file") == "bookingbridge.env", "compose: bridge reads bookingbridge.env")
check(bridge.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy",
      "compose: bridge waits for a healthy postgres")
grace = seconds(bridge.get("stop_grace_period", "10s"))
check(grace is not None and grace > SHUTDOWN_GRACE, "compose: stop_grace_period longer than pipeline.shutdownGrace")
check("build" in bridge and bridge["build"].get("dockerfile") == "deploy/Dockerfile", "compose: bridge builds deploy/Dockerfile")
sandbox = services.get("sandbox", {})
check(sandbox.get("profiles") == ["sandbox"], "compose: sandbox only in the `sandbox` profile")
check(sandbox.get("command", [])[:3] == ["sandbox", "--host", "0.0.0.0"], "compose: sandbox listens on 0.0.0.0")
check("healthcheck" in services.get("postgres", {}), "compose: postgres has a healthcheck")
print("ok    docker-compose.yml parses (services: %s)" % ", ".join(sorted(services)))

# env example: KEY=value lines, the keys the compose file and the bridge need
env = {}
for number, line in enumerate(pathlib.Path("bookingbridge.env.example").read_text().splitlines(), 1):
    if not line.strip() or line.lstrip().startswith("#"): continue
    m = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
    if check(m is not None, f"bookingbridge.env.example:{number}: not KEY=value"):
        env[m.group(1)] = m.group(2)
for key in ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "DATABASE_URL", "BRIDGE_ADMIN_TOKEN",
            "HUBSPOT_ACCESS_TOKEN"]:
    check(key in env, f"bookingbridge.env.example: sets {key}")
check(env.get("DATABASE_URL", "").startswith("postgres://"), "bookingbridge.env.example: DATABASE_URL is a postgres:// URL")
check(pathlib.Path(".gitignore").exists() and "bookingbridge.env" in pathlib.Path(".gitignore").read_text().split(),
      "deploy/.gitignore keeps bookingbridge.env out of git")
print("ok    bookingbridge.env.example (%d keys)" % len(env))

config = json.loads(pathlib.Path("config.example.json").read_text())
check(isinstance(config.get("sources"), dict) and config["sources"], "config.example.json: has sources")
print("ok    config.example.json is JSON")

# Kubernetes manifests
expected = {
    "deployment.yaml": ["Deployment"],
    "service.yaml": ["Service"],
    "poddisruptionbudget.yaml": ["PodDisruptionBudget"],
    "horizontalpodautoscaler.yaml": ["HorizontalPodAutoscaler"],
    "migration-job.yaml": ["Job"],
    "secret.example.yaml": ["Secret", "Secret"],
    "kustomization.yaml": ["Kustomization"],
}
docs = {}
k8s = pathlib.Path("kubernetes")
for path in sorted(k8s.glob("*.yaml")):
    loaded = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    docs[path.name] = loaded
    for d in loaded:
        check(isinstance(d, dict) and "apiVersion" in d and "kind" in d, f"{path}: every document has apiVersion and kind")
        if d.get("kind") != "Kustomization":
            check(bool(d.get("metadata", {}).get("name")), f"{path}: {d.get('kind')} has a name")
    kinds = [d.get("kind") for d in loaded]
    if check(path.name in expected, f"{path}: not an expected manifest"):
        check(kinds == expected[path.name], f"{path}: kinds {kinds}, expected {expected[path.name]}")
for name in expected:
    check(name in docs, f"kubernetes/{name} is missing")

if all(name in docs for name in expected):
    deployment = docs["deployment.yaml"][0]
    pod = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    container = pod["containers"][0]
    check(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), "deployment: selector matches its pods")
    check(container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", "deployment: readiness probe on /readyz")
    check(container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", "deployment: liveness probe on /healthz")
    check("requests" in container.get("resources", {}), "deployment: resource requests")
    pre_stop = 0
    command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    if command[:1] == ["sleep"]: pre_stop = int(command[1])
    check(pod.get("terminationGracePeriodSeconds", 30) > SHUTDOWN_GRACE + pre_stop,
          "deployment: terminationGracePeriodSeconds longer than preStop + pipeline.shutdownGrace")
    env_names = {e["name"]: e.get("value") for e in container.get("env", [])}
    check(env_names.get("BRIDGE_HOST") == "0.0.0.0", "deployment: BRIDGE_HOST=0.0.0.0")
    check(pod.get("securityContext", {}).get("runAsNonRoot") is True, "deployment: runAsNonRoot")
    secrets = {d["metadata"]["name"] for d in docs["secret.example.yaml"]}
    referenced = {s["secretRef"]["name"] for s in container.get("envFrom", []) if "secretRef" in s}
    referenced |= {v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
    check(referenced <= secrets, f"deployment: references secrets {sorted(referenced)}, example defines {sorted(secrets)}")
    config_secret = next((d for d in docs["secret.example.yaml"] if "config.json" in d.get("stringData", {})), None)
    if check(config_secret is not None, "secret.example.yaml: a Secret with config.json"):
        json.loads(config_secret["stringData"]["config.json"])
    service = docs["service.yaml"][0]
    check(service["spec"]["selector"].items() <= labels.items(), "service: selector matches the deployment's pods")
    pdb = docs["poddisruptionbudget.yaml"][0]
    check(pdb["spec"]["selector"]["matchLabels"].items() <= labels.items(), "pdb: selector matches the deployment's pods")
    hpa = docs["horizontalpodautoscaler.yaml"][0]
    target = hpa["spec"]["scaleTargetRef"]
    check(target["kind"] == "Deployment" and target["name"] == deployment["metadata"]["name"], "hpa: targets the deployment")
    check(hpa["spec"]["minReplicas"] >= 2, "hpa: at least 2 replicas (the PDB allows one down)")
    job = docs["migration-job.yaml"][0]
    job_container = job["spec"]["template"]["spec"]["containers"][0]
    check(job_container.get("args") == ["migrate"], "migration job: runs `migrate`")
    check(job_container.get("image") == container.get("image"), "migration job: same image as the deployment")
    check(container.get("args") == ["serve", "--no-migrate"], "deployment: serve --no-migrate (the job migrates)")
    kustomization = docs["kustomization.yaml"][0]
    for resource in kustomization.get("resources", []):
        check((k8s / resource).exists(), f"kustomization: resource {resource} exists")
    check("secret.example.yaml" not in kustomization.get("resources", []), "kustomization: does not apply the example secret")
    print("ok    kubernetes/*.yaml: %s" % ", ".join("%s (%s)" % (n, ", ".join(expected[n])) for n in sorted(expected)))

for p in problems:
    print("FAIL  " + p)
sys.exit(min(len(problems), 100))
PY
failures=$((failures + $?))

# --- Dockerfile ----------------------------------------------------------------------------------------------
dockerfile_ok=1
# Instructions with their continuation lines joined.
dockerfile=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Dockerfile)
need() { grep -Eq "$1" <<<"$dockerfile" || { fail "Dockerfile: $2"; dockerfile_ok=0; }; }
[ "$(grep -Ec '^FROM ' <<<"$dockerfile")" -ge 2 ] || { fail "Dockerfile: multi-stage (two FROM lines)"; dockerfile_ok=0; }
need 'swift build -c release --static-swift-stdlib' "release build with --static-swift-stdlib"
need '^USER [0-9]+' "runs as a non-root numeric USER"
need '^HEALTHCHECK .*/healthz' "HEALTHCHECK on /healthz"
need 'BRIDGE_HOST=0\.0\.0\.0' "BRIDGE_HOST=0.0.0.0"
need '^FROM \$\{SWIFT_IMAGE\}|^FROM swift:6' "builds on a Swift 6 image"
grep -Eq '^ARG SWIFT_IMAGE=swift:6\.' <<<"$dockerfile" || { fail "Dockerfile: SWIFT_IMAGE defaults to a swift:6.x image"; dockerfile_ok=0; }
[ "$dockerfile_ok" = 1 ] && ok "Dockerfile has its required parts"
if command -v hadolint >/dev/null 2>&1; then
  hadolint --failure-threshold error Dockerfile && ok "hadolint Dockerfile" || fail "hadolint Dockerfile"
else
  skip "hadolint (not installed)"
fi

# --- Optional tools ------------------------------------------------------------------------------------------
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  tmp_env=0
  [ -f bookingbridge.env ] || { cp bookingbridge.env.example bookingbridge.env; tmp_env=1; }
  [ -f config.json ] || { cp config.example.json config.json; tmp_config=1; }
  docker compose -f docker-compose.yml --profile sandbox config -q && ok "docker compose config" || fail "docker compose config"
  [ "$tmp_env" = 1 ] && rm -f bookingbridge.env
  [ "${tmp_config:-0}" = 1 ] && rm -f config.json
else
  skip "docker compose config (docker compose not installed)"
fi
if command -v kubectl >/dev/null 2>&1; then
  kubectl kustomize kubernetes >/dev/null && ok "kubectl kustomize kubernetes" || fail "kubectl kustomize kubernetes"
else
  skip "kubectl kustomize (kubectl not installed)"
fi

# --- systemd -------------------------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
  # verify checks that ExecStart's binary exists: point the copy at one that does.
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  sed "s#/usr/local/bin/bookingbridge#$(command -v true)#g" systemd/bookingbridge.service > "$work/bookingbridge.service"
  if output=$(systemd-analyze verify "$work/bookingbridge.service" 2>&1) && [ -z "$output" ]; then
    ok "systemd-analyze verify systemd/bookingbridge.service"
  else
    fail "systemd-analyze verify systemd/bookingbridge.service: $output"
  fi
  if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
    # The threshold is in tenths of the printed exposure level: 25 means 2.5 of 10.
    if exposure=$(systemd-analyze security --offline=yes --threshold=25 "$work/bookingbridge.service" 2>&1); then
      ok "systemd-analyze security: $(echo "$exposure" | grep -o 'Overall exposure level.*' | sed 's/ for [^:]*//')"
    else
      fail "systemd-analyze security: exposure above 2.5 ($(echo "$exposure" | tail -n 1))"
    fi
  else
    skip "systemd-analyze security --offline (needs systemd 250 or later)"
  fi
else
  skip "systemd-analyze (not installed)"
fi

if [ "$failures" -gt 0 ]; then
  echo "deploy/check.sh: $failures check(s) failed"
  exit 1
fi
echo "deploy/check.sh: all checks passed"
