"""Check a rendered Civicloop overlay for the security and operating posture every workload
must keep, whichever file it comes from: a service's own file, the shared patches in k8s/base,
or the infra component.

Every workload: non-root with the RuntimeDefault seccomp profile, no privilege escalation, all
capabilities dropped, CPU and memory requests and limits on every container. Every Civicloop
service besides (label app.kubernetes.io/component=service): a read-only root file system, no
service-account token, native gRPC start-up and liveness probes on its own gRPC port, a
readiness probe, HTTP_PORT/GRPC_PORT matching its container ports and, where the overlay has
network policies, a policy that opens those ports. The service is its pod's first container
(the shared patches reach that one only); a companion beside it (rating's outbox relay)
keeps a read-only root file system and start-up, liveness and readiness probes of its own,
and its ports are opened too.

    python scripts/k8s_posture.py rendered.yaml [...]   # prints each problem; exit 1 if any
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}


def workload_problems(pod: Manifest) -> list[str]:
    problems = []
    pod_security = pod.get("securityContext") or {}
    for container in pod.get("initContainers", []) + pod["containers"]:
        name = container["name"]
        security = container.get("securityContext") or {}
        # A container's own setting wins over the pod's.
        effective = pod_security | security
        if effective.get("runAsNonRoot") is not True:
            problems.append(f"{name}: runAsNonRoot is not true")
        if (effective.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{name}: seccomp profile is not RuntimeDefault")
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
        if "ALL" not in (security.get("capabilities") or {}).get("drop", []):
            problems.append(f"{name}: capabilities do not drop ALL")
        resources = container.get("resources") or {}
        for bound in ("requests", "limits"):
            missing = {"cpu", "memory"} - set(resources.get(bound) or {})
            if missing:
                problems.append(f"{name}: no {bound} for {', '.join(sorted(missing))}")
    return problems


def service_problems(pod: Manifest, labels: dict[str, str], policies: list[Manifest]) -> list[str]:
    problems = []
    if pod.get("automountServiceAccountToken") is not False:
        problems.append("the service-account token is mounted")
    container, *companions = pod["containers"]
    for each in pod["containers"]:
        if (each.get("securityContext") or {}).get("readOnlyRootFilesystem") is not True:
            problems.append(f"{each['name']}: the root file system is writable")
    for companion in companions:
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            if probe not in companion:
                problems.append(f"{companion['name']}: no {probe}")
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    for name in ("http", "grpc"):
        if name not in ports:
            problems.append(f"no container port named {name}")
        elif env.get(f"{name.upper()}_PORT") != str(ports[name]):
            problems.append(f"{name.upper()}_PORT is not its {name} port {ports[name]}")
    for probe in ("startupProbe", "livenessProbe"):
        port = (container.get(probe) or {}).get("grpc", {}).get("port")
        if port is None or port != ports.get("grpc"):
            problems.append(f"{probe} is not a gRPC probe on the grpc port")
    if "readinessProbe" not in container:
        problems.append("no readinessProbe")
    if policies:
        opened = {
            port.get("port")
            for policy in policies
            if selects(policy["spec"]["podSelector"], labels)
            for rule in policy["spec"].get("ingress", [])
            for port in rule.get("ports", [])
        }
        every_port = {
            p["containerPort"] for c in pod["containers"] for p in c.get("ports", [])
        }
        closed = sorted(every_port - opened)
        if closed:
            problems.append(f"no network policy opens port(s) {closed}")
    return problems


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    # Enough for Civicloop's policies: matchLabels, and matchExpressions with In.
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(
        e["operator"] == "In" and labels.get(e["key"]) in e["values"]
        for e in selector.get("matchExpressions") or []
    )


def check(manifests: list[Manifest]) -> list[str]:
    policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
    problems = []
    for m in manifests:
        if m["kind"] not in WORKLOADS:
            continue
        pod = m["spec"]["template"]["spec"]
        labels = m["spec"]["template"]["metadata"].get("labels") or {}
        found = workload_problems(pod)
        if labels.get("app.kubernetes.io/component") == "service":
            found += service_problems(pod, labels, policies)
        problems += [f"{m['kind']} {m['metadata']['name']}: {p}" for p in found]
    return problems


def main(paths: list[str]) -> int:
    status = 0
    for path in paths:
        manifests = [m for m in yaml.safe_load_all(Path(path).read_text()) if m]
        for problem in check(manifests):
            print(f"{path}: {problem}" if len(paths) > 1 else problem)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
