"""Run the Civicloop stack on this machine.

stack.py run    start infrastructure if stopped, every service, the demo; serve until Ctrl-C
stack.py up     the same services in the background (pids and logs under var/run)
stack.py down   stop what `up` started
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / "var" / "run"


@dataclass(frozen=True)
class Service:
    name: str
    http_port: int
    grpc_port: int
    relay_port: int | None = None

    @property
    def exists(self) -> bool:
        return (
            ROOT / "services" / self.name / "src" / "civicloop" / self.name / "__main__.py"
        ).exists()


# Local ports, as in DESIGN.md.
ALL_SERVICES = [
    Service("intake", 8001, 50051),
    Service("dispatch", 8002, 50052),
    # Rating's outbox relay runs as a process of its own (civicloop.platform.relay), as in its
    # pod: the page's process then spends its core on ratings.
    Service("rating", 8003, 50053, relay_port=8093),
    Service("publication", 8004, 50054),
    Service("ledger", 8005, 50055),
    Service("amenities", 8006, 50056),
]
# The development SMS sink stands in for the SMS gateway while rating exists: rating's
# RATING_SMS_URL points at it by default, and the demo reads the rating links from it.
SMS_SINK_PORT = 8025
# The departments that witness the ledger's log (civicloop-witness), with the development keys
# of civicloop-devsigning; the ledger asks both to cosign each checkpoint.
LEDGER_WITNESS_PORTS = {"civil-affairs": 8101, "finance": 8102}


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    binary: str
    package: str

    def start_command(self) -> list[str]:
        if self.name == "PostgreSQL":
            versions = (
                sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").exists() else []
            )
            return [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                versions[-1] if versions else "15",
                "main",
                "start",
            ]
        if self.name == "Redis":
            return [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
        # Debian's wrapper starts the broker through `su`, which resets the open-files limit
        # to 1,024: each connection and each quorum queue's files take descriptors, and a
        # broker out of them still accepts TCP but never answers AMQP. As root, start it as
        # its user without PAM (setpriv), keeping the raised limit (raise_open_files).
        broker = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
        if os.geteuid() == 0 and broker.exists() and shutil.which("setpriv"):
            return [
                "setpriv",
                "--reuid=rabbitmq",
                "--regid=rabbitmq",
                "--init-groups",
                "env",
                "HOME=/var/lib/rabbitmq",
                str(broker),
                "-detached",
            ]
        return ["rabbitmq-server", "-detached"]

    def ready(self) -> bool:
        """Answering on its port, and for RabbitMQ speaking AMQP (a broker that has run out
        of file descriptors accepts the connection and then says nothing)."""
        if self.name != "RabbitMQ":
            return answers(self.port)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                conn.settimeout(5)
                conn.sendall(b"AMQP\x00\x00\x09\x01")
                return bool(conn.recv(8))
        except OSError:
            return False


def raise_open_files() -> None:
    """In the child that starts a server: the open-files limit up to the hard limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


SERVERS = [
    Server("RabbitMQ", 5672, "rabbitmq-server", "rabbitmq-server"),
    Server("PostgreSQL", 5432, "pg_ctlcluster", "postgresql"),
    Server("Redis", 6379, "redis-server", "redis-server"),
]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def ensure_infrastructure() -> None:
    """Start each server that is installed but stopped; name exactly what is missing."""
    missing = []
    for server in SERVERS:
        if server.ready():
            continue
        if answers(server.port):
            sys.exit(
                f"{server.name} accepts connections on 127.0.0.1:{server.port} but does not"
                " answer: it is hung. Restart it (README, 'Operating it')."
            )
        if shutil.which(server.binary) is None:
            missing.append(server)
            continue
        print(f"starting {server.name}: {' '.join(server.start_command())}")
        subprocess.run(server.start_command(), check=False, cwd="/", preexec_fn=raise_open_files)
        deadline = time.monotonic() + 60
        while not server.ready() and time.monotonic() < deadline:
            time.sleep(0.5)
        if not server.ready():
            sys.exit(f"{server.name} did not come up on 127.0.0.1:{server.port}")
    if missing:
        names = ", ".join(f"{s.name} (127.0.0.1:{s.port})" for s in missing)
        packages = " ".join(s.package for s in missing)
        sys.exit(f"missing: {names}. Install with: apt-get install -y {packages}")
    print("infrastructure: RabbitMQ, PostgreSQL and Redis answer on 127.0.0.1")


def service_env(service: Service) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CIVICLOOP_RUN_DIR", str(ROOT / "var"))
    # Export spans often, so the demo can show the case's trace right away.
    env.setdefault("OTEL_BSP_SCHEDULE_DELAY", "300")
    env["DATABASE_URL"] = os.environ.get(
        f"{service.name.upper()}_DATABASE_URL",
        f"postgresql://postgres@127.0.0.1:5432/{service.name}",
    )
    env["HTTP_PORT"], env["GRPC_PORT"] = str(service.http_port), str(service.grpc_port)
    return env


def wait_ready(
    name: str, http_port: int, process: subprocess.Popen[bytes], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (RUN_DIR / f"{name}.log").read_text(errors="replace")
            sys.exit(f"{name} exited during start:\n{log[-3000:]}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{http_port}/readyz", timeout=1
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{name} was not ready within {timeout}s; see {RUN_DIR / name}.log")


def launch(
    name: str, http_port: int, command: list[str], env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start one process in the background, its pid and log under var/run for `make down`."""
    if (RUN_DIR / f"{name}.pid").exists() and answers(http_port):
        sys.exit(f"{name} already runs (make down first)")
    log = (RUN_DIR / f"{name}.log").open("ab")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    (RUN_DIR / f"{name}.pid").write_text(str(process.pid))
    return process


def start_sms_sink() -> None:
    sink = launch(
        "sms-sink",
        SMS_SINK_PORT,
        [sys.executable, str(ROOT / "scripts" / "sms_sink.py"), "--port", str(SMS_SINK_PORT)],
    )
    wait_ready("sms-sink", SMS_SINK_PORT, sink)
    print(
        f"{'sms-sink':<12} ready  http://127.0.0.1:{SMS_SINK_PORT}  "
        "(read the links: GET /messages?to=<phone>)"
    )


def start_ledger_witnesses() -> str:
    """Start the two departments' witnesses; LEDGER_WITNESSES for the ledger."""
    from importlib import resources

    from civicloop.ledger.settings import DEFAULT_ORIGIN, DEV_LOG_VKEY, DEV_WITNESS_VKEYS

    entries = []
    for name, port in LEDGER_WITNESS_PORTS.items():
        key = resources.files("civicloop.devsigning").joinpath(f"dev-witness-{name}-key.txt")
        command = [
            sys.executable, "-m", "civicloop.verify.witness", "--origin", DEFAULT_ORIGIN,
            "--log-key", DEV_LOG_VKEY, "--key-file", str(key), "--port", str(port),
            "--state", str(RUN_DIR / f"witness-{name}.state"),
        ]  # fmt: skip
        wait_ready(f"witness-{name}", port, launch(f"witness-{name}", port, command))
        print(f"{'witness':<12} ready  http://127.0.0.1:{port}  ({name})")
        entries.append(f"http://127.0.0.1:{port}/add-checkpoint {DEV_WITNESS_VKEYS[name]}")
    return ",".join(entries)


def start_services() -> list[tuple[str, int, subprocess.Popen[bytes]]]:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    if any(s.name == "rating" and s.exists for s in ALL_SERVICES):
        start_sms_sink()
    if any(s.name == "ledger" and s.exists for s in ALL_SERVICES):
        os.environ.setdefault("LEDGER_WITNESSES", start_ledger_witnesses())
    from civicloop.platform.relay import MODULE as RELAY_MODULE
    from civicloop.platform.relay import relay_environments

    started: list[tuple[Service, subprocess.Popen[bytes]]] = []
    relays: list[tuple[str, int, subprocess.Popen[bytes]]] = []
    for service in (s for s in ALL_SERVICES if s.exists):
        command = [sys.executable, "-m", f"civicloop.{service.name}"]
        env = service_env(service)
        if service.relay_port is not None:
            env, relay_env = relay_environments(env, service.name, service.relay_port)
            name = f"{service.name}-relay"
            relay_command = [sys.executable, "-m", RELAY_MODULE]
            relays.append(
                (
                    name,
                    service.relay_port,
                    launch(name, service.relay_port, relay_command, relay_env),
                )
            )
        started.append((service, launch(service.name, service.http_port, command, env)))
    for service, process in started:
        wait_ready(service.name, service.http_port, process)
        print(
            f"{service.name:<12} ready  http://127.0.0.1:{service.http_port}  "
            f"grpc 127.0.0.1:{service.grpc_port}  log {RUN_DIR / service.name}.log"
        )
    for name, port, relay in relays:
        wait_ready(name, port, relay)
        print(f"{name:<12} ready  http://127.0.0.1:{port}  (its outbox's events)")
    # Watched together: a relay that dies stops the stack too.
    return [(s.name, s.http_port, process) for s, process in started] + relays


def stop_services() -> None:
    # A relay after its service: it sends what the service wrote as it stopped.
    for pid_file in sorted(
        RUN_DIR.glob("*.pid"), key=lambda f: (f.stem.endswith("-relay"), f.stem)
    ):
        pid = int(pid_file.read_text())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pid_file.unlink(missing_ok=True)
            continue
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if _exited(pid):
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
        # `make run` serving in another terminal removes its pid files as it stops too.
        pid_file.unlink(missing_ok=True)
        print(f"stopped {pid_file.stem}")


def _exited(pid: int) -> bool:
    """Whether the process is gone. A child of this process (`make run`) stays a zombie, which
    signal 0 still reaches, until it is reaped here."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return True
    except ChildProcessError:
        pass  # started by another `make up`: not ours to reap
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(command: str) -> None:
    if command == "down":
        stop_services()
        return
    ensure_infrastructure()
    if command == "infra":
        return
    started = start_services()
    if command == "up":
        print("stack is up in the background: `make demo` walks a petition, `make down` stops it")
        return
    try:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py")], check=True)
        print("\nserving; press Ctrl-C to stop")
        signal.signal(signal.SIGTERM, _interrupt)
        while all(process.poll() is None for _, _, process in started):
            time.sleep(0.5)
        print("a service or relay exited; stopping the stack")
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        stop_services()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "run")
