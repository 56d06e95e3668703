"""What the server keyring (keyrings.cryptfile) costs the flush that cron runs every minute.

    python bench/keyring_unlock.py [--runs 5] [--accounts 3]

keyrings.cryptfile derives a key with Argon2id (time cost 15, 64 MiB) for the
password check and again for every entry it encrypts or decrypts; nothing is
kept between processes, and each flush is a new process. Prints medians of:
- unlock: the first use of the keyring in a process (password file read, password
  checked against the file);
- get / set: one secret read or written once unlocked;
- flush: `publisher flush` as cron starts it (a new process, no terminal) on a
  workspace whose X accounts have posts waiting (not yet due: the flush opens the
  keyring and reads each account's token record), with keyrings.cryptfile and with
  keyrings.alt's plain-text file for comparison, and with nothing waiting (no
  keyring use at all).
Wall time depends on what else runs; CPU time (the process's, or the child's) less so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRYPTFILE = "keyrings.cryptfile.cryptfile.CryptFileKeyring"
PLAINTEXT = "keyrings.alt.file.PlaintextKeyring"
NOW = "2026-12-01T09:00:00+01:00"
LATER = "2026-12-02T09:00:00+01:00"


def service_env(folder: Path, backend: str) -> dict[str, str]:
    password = folder / "keyring-password"
    password.write_text("a long keyring password for the bench\n", encoding="utf-8")
    password.chmod(0o600)
    return {**os.environ, "XDG_DATA_HOME": str(folder / f"data-{backend.rsplit('.', 1)[-1]}"),
            "PYTHON_KEYRING_BACKEND": backend, "PUBLISHER_KEYRING_PASSWORD_FILE": str(password),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def in_process(env: dict[str, str], runs: int) -> dict[str, tuple[float, float]]:
    """Unlock, get and set in this process (wall, CPU), a fresh backend for each unlock."""
    os.environ.update(env)
    import keyring
    from keyring.core import load_keyring

    from publisher.services import secrets

    secrets.set_secret("bench", "a-token-value")
    times: dict[str, list[tuple[float, float]]] = {"unlock": [], "get": [], "set": []}
    for _ in range(runs):
        keyring.set_keyring(load_keyring(CRYPTFILE))
        secrets._opened = None
        for name, action in (("unlock", secrets.require_keyring),
                             ("get", lambda: secrets.get_secret("bench")),
                             ("set", lambda: secrets.set_secret("bench", "a-token-value"))):
            started, cpu = time.perf_counter(), time.process_time()
            action()
            times[name].append((time.perf_counter() - started, time.process_time() - cpu))
    return {name: medians(values) for name, values in times.items()}


def medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def publisher(env: dict[str, str], *argv: str, stdin: str = "") -> tuple[float, float]:
    """Run it as cron does; (wall, CPU) seconds."""
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run([sys.executable, "-m", "publisher", *argv], input=stdin, env=env,
                          capture_output=True, text=True, start_new_session=True, timeout=300)
    elapsed = time.perf_counter() - started, children_cpu() - cpu
    if done.returncode != 0:
        sys.exit(f"publisher {' '.join(argv)} exited {done.returncode}: {done.stderr}")
    return elapsed


def store_token_record(env: dict[str, str], account: str) -> None:
    """What `accounts login` keeps beside an X token: its expiry and refresh token."""
    record = json.dumps({"expires_at": "2026-12-01T10:00:00+00:00", "client_id": "bench",
                         "refresh_token": "a-refresh-token"})
    publisher_code(env, "from publisher.services.secrets import set_secret; import sys; "
                   f"set_secret({account!r}, sys.stdin.read().strip(), 'oauth')", record)


def publisher_code(env: dict[str, str], code: str, stdin: str) -> None:
    subprocess.run([sys.executable, "-c", code], input=stdin, env=env, check=True, text=True,
                   start_new_session=True, timeout=300)


def waiting_workspace(folder: Path, env: dict[str, str], accounts: int) -> Path:
    """X accounts, each with a token, its record and a post due tomorrow (as logged in)."""
    home = folder / f"ws-{env['PYTHON_KEYRING_BACKEND'].rsplit('.', 1)[-1]}"
    publisher(env, "init", str(home))
    for number in range(accounts):
        account = f"x-{number}"
        publisher(env, "--home", str(home), "accounts", "add", account, "--platform", "x",
                  "--api-base", "http://127.0.0.1:9", "--handle", "@bench", "--locales", "en")
        publisher(env, "--home", str(home), "accounts", "set-secret", account,
                  stdin="a-token-value\n")
        store_token_record(env, account)
        draft = home / "drafts" / f"post-{number}.toml"
        draft.write_text(f'title = "post {number}"\nsource = "en"\naccounts = ["{account}"]\n'
                         f'approved = true\n\n[variants.en]\ntext = """Post {number}"""\n',
                         encoding="utf-8")
        publisher(env, "--home", str(home), "schedule", f"post-{number}", "--at", LATER,
                  "--now", NOW)
    return home


def flush_time(env: dict[str, str], home: Path, runs: int) -> tuple[float, float]:
    return medians([publisher(env, "--home", str(home), "flush", "--now", NOW)
                    for _ in range(runs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keyring-bench-") as temp:
        folder = Path(temp)
        crypt_env, plain_env = service_env(folder, CRYPTFILE), service_env(folder, PLAINTEXT)
        crypt_home = waiting_workspace(folder, crypt_env, args.accounts)
        plain_home = waiting_workspace(folder, plain_env, args.accounts)
        empty = folder / "empty"
        publisher(crypt_env, "init", str(empty))
        flushes = {
            f"flush, {args.accounts} X accounts waiting, cryptfile":
                flush_time(crypt_env, crypt_home, args.runs),
            f"flush, {args.accounts} X accounts waiting, plain-text file":
                flush_time(plain_env, plain_home, args.runs),
            "flush, nothing waiting, cryptfile": flush_time(crypt_env, empty, args.runs),
        }
        keyring_ops = in_process(crypt_env, args.runs)
    print(f"keyrings.cryptfile, medians of {args.runs} runs, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}")
    print(f"  {'':<58} {'wall ms':>8}  {'CPU ms':>8}")
    for name, (wall, cpu) in {**keyring_ops, **flushes}.items():
        print(f"  {name:<58} {wall * 1000:8.0f}  {cpu * 1000:8.0f}")


if __name__ == "__main__":
    main()
