"""How fast a video goes up, and how much memory the sending process needs for it.

    python bench/video_upload.py [--megabytes 50] [--repeat 3]

Makes a real MP4 of about ``--megabytes`` (noise at 100 Mbit/s, so that the encoder
cannot shrink it; cached in the temp folder, the time making it took printed), then
uploads it over loopback, each way ``--repeat`` times, and prints the best MB/s, its
ratio to (a), and the client's peak memory:

(a) ``put``: one bare ``requests.put(url, data=open(file, 'rb'))`` to a receiver that
    counts the bytes: the floor the other ways are measured against;
(b) the foundation's streamed bodies in chunks, to the same receiver, as the platforms'
    protocols send them: ``x-chunks`` (a multipart APPEND per 4 MiB segment,
    MultipartBody over a FileSlice), ``linkedin-parts`` (a PUT per 4 MiB part, a bare
    FileSlice), ``facebook-chunks`` (a multipart transfer per 4 MiB chunk);
(c) the adapters themselves (``x-adapter``, ``linkedin-adapter``,
    ``facebook-adapter``): a real flush of one queued video post against the
    platform's loopback fake of tests/fakes; "not available on this branch" where
    the adapter has no video support (``abilities.video`` is None).

The servers run in a process of their own (their memory is not the client's) and each
client way in its own process, so that ru_maxrss is that way's: the delta of
ru_maxrss over the upload, and tracemalloc's peak (in another run of the same way:
tracing slows the upload, so the speed comes from the untraced runs). Numbers only,
no verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
# The chunk sizes of the stand-ins: X's APPEND segments (at most 5 MB each), LinkedIn's
# parts (the initializeUpload answer's byte ranges, 4 MiB each) and Facebook's transfer
# chunks (the server's start/end offsets) are all 4 MiB here.
CHUNK = 4 * MB
WAYS = ("put", "x-chunks", "linkedin-parts", "facebook-chunks",
        "x-adapter", "linkedin-adapter", "facebook-adapter")
# platform -> (the fake's module and class, its token, accounts add arguments).
FAKES = {
    "x": ("fakes.x", "FakeX", "x-access-token", ()),
    "linkedin": ("fakes.linkedin", "FakeLinkedIn", "li-access-token",
                 ("--handle", "urn:li:organization:2414183")),
    "facebook": ("fakes.facebook", "FakeFacebook", "page-token", ("--handle", "1234567890")),
}
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


# The video -------------------------------------------------------------------


def make_video(megabytes: int) -> tuple[Path, float | None]:
    """A real MP4 of about ``megabytes`` MB (cached); the seconds making it took (None:
    it was made before)."""
    import imageio_ffmpeg

    path = Path(tempfile.gettempdir()) / f"publisher-bench-video-{megabytes}mb.mp4"
    if path.exists() and path.stat().st_size > 0.8 * megabytes * MB:
        return path, None
    seconds = max(1.0, megabytes * 8 / 100)  # 100 Mbit/s
    partial = path.with_suffix(".part.mp4")
    started = time.perf_counter()
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi",
         "-i", f"testsrc2=size=1280x720:rate=25:duration={seconds}",
         "-vf", "noise=alls=100:allf=t", "-c:v", "libx264", "-preset", "ultrafast",
         "-b:v", "100M", "-minrate", "100M", "-maxrate", "100M", "-bufsize", "50M",
         "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(partial)],
        check=True, capture_output=True)
    partial.replace(path)
    return path, time.perf_counter() - started


# The servers (in their own process) --------------------------------------------


class Receiver(BaseHTTPRequestHandler):
    """Takes any PUT or POST, counts its bytes, answers 200 with an ETag."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms wait
    received = 0

    def log_message(self, *args: object) -> None:
        pass

    def _take(self) -> None:
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            data = self.rfile.read(min(left, MB))
            if not data:
                break
            left -= len(data)
            Receiver.received += len(data)
        body = json.dumps({"received": Receiver.received}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", f'"{Receiver.received}"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST = _take


def serve(kind: str) -> None:
    """Start the receiver (``kind`` "receiver") or a platform's fake, say its address on
    stdout, and serve until stdin closes."""
    if kind == "receiver":
        server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
    else:
        import importlib

        sys.path.insert(0, str(ROOT / "tests"))
        module, name, _token, _args = FAKES[kind]
        fake = getattr(importlib.import_module(module), name)()
        fake.__enter__()
        fake.requests = _Forgetful()  # keep no request bodies: 50 MB each
        # Upload speed, not processing: the fakes finish processing at once (an adapter
        # would otherwise sleep between polls), and Facebook's chunks are 4 MiB as the
        # stand-in's (the fake's own default, 64 KiB, makes the tests chunk small videos).
        for name in ("processing_polls", "polls_before_ready"):
            if hasattr(fake, name):
                setattr(fake, name, 0)
        if hasattr(fake, "chunk_size"):
            fake.chunk_size = CHUNK
        url = fake.url
    print(json.dumps({"url": url}), flush=True)
    sys.stdin.read()


class _Forgetful(list):
    """A fake's request log that keeps a copy of each request without its body (the
    fake still reads the request itself, whole)."""

    def append(self, request) -> None:  # type: ignore[override]
        import dataclasses

        super().append(dataclasses.replace(request, body=request.body[:1024]))


# The client ways (each in its own process) -----------------------------------------


def way_put(url: str, path: Path) -> None:
    import requests

    with open(path, "rb") as handle:
        requests.put(f"{url}/upload", data=handle, timeout=120).raise_for_status()


def way_chunks(url: str, path: Path, kind: str) -> None:
    import requests

    from publisher.platforms.common.video import FileSlice, MultipartBody, chunks

    session = requests.Session()
    size = path.stat().st_size
    for index, offset, length in chunks(size, CHUNK):
        piece = FileSlice(path, offset, length)
        if kind == "linkedin-parts":
            response = session.put(f"{url}/part/{index}", data=piece, timeout=120,
                                   headers={"Content-Type": "application/octet-stream"})
        else:
            fields = ({"command": "APPEND", "media_id": "1", "segment_index": str(index)}
                      if kind == "x-chunks" else
                      {"upload_phase": "transfer", "upload_session_id": "1",
                       "start_offset": str(offset)})
            field = "media" if kind == "x-chunks" else "video_file_chunk"
            body = MultipartBody(fields, field, path.name, "application/octet-stream", piece)
            response = session.post(f"{url}/chunk", data=body, timeout=120,
                                    headers={"Content-Type": body.content_type})
        response.raise_for_status()
        piece.close()


class Workspace:
    """A workspace with one account on the fake and one video post due (set up before
    the measurement starts)."""

    def __init__(self, platform: str, url: str, path: Path) -> None:
        from publisher.cli import main
        from publisher.services import queueing
        from publisher.services.context import open_context
        from publisher.services.secrets import set_secret

        _module, _name, token, args = FAKES[platform]
        self.home = Path(tempfile.mkdtemp(prefix="bench-video-")) / "ws"
        quiet = open(os.devnull, "w")  # noqa: SIM115 - the process ends soon
        sys.stdout, stdout = quiet, sys.stdout
        try:
            assert main(["init", str(self.home)]) == 0
            assert main(["--home", str(self.home), "accounts", "add", "v", "--platform",
                         platform, "--api-base", url, "--locales", "en", *args]) == 0
        finally:
            sys.stdout = stdout
        set_secret("v", token)
        video = self.home / "media" / "video.mp4"
        try:
            os.link(path, video)
        except OSError:
            import shutil

            shutil.copyfile(path, video)
        (self.home / "drafts" / "video.toml").write_text(
            'title = "video"\nsource = "en"\naccounts = ["v"]\napproved = true\n'
            '[variants.en]\ntext = """A statement."""\n\n'
            '[[media]]\nfile = "media/video.mp4"\nalt.en = "The ambassador speaks"\n',
            encoding="utf-8")
        self.context = open_context(self.home)
        queueing.schedule(self.context, "video", AT, now=AT - timedelta(hours=1))

    def send(self) -> None:
        from publisher.services.flush import flush

        report = flush(self.context, clock=lambda: AT + timedelta(seconds=10))
        states = [outcome.state.value for outcome in report.outcomes]
        if states != ["sent"]:
            raise RuntimeError(f"the flush did not send: {states} "
                               f"{[o.detail for o in report.outcomes]}")


def video_support(platform: str) -> bool:
    """Whether this branch's adapter takes a video (its abilities say so)."""
    from publisher.domain.accounts import Account
    from publisher.platforms.base import MemoryCheckpoints
    from publisher.platforms.registry import Adapters

    adapters = Adapters(outbox_dir=Path(tempfile.gettempdir()), secrets=_NoSecrets(),
                        clock=lambda: AT, checkpoints=MemoryCheckpoints())
    options = FAKES[platform][3]
    handle = dict(zip(options[::2], options[1::2], strict=True)).get("--handle")
    account = Account(id="v", platform=platform, locales=("en",),
                      api_base="http://127.0.0.1:9", handle=handle)
    return adapters.for_account(account).abilities.video is not None


class _NoSecrets:
    def get(self, account_id: str, part: str | None = None) -> str | None:
        return None


def client(way: str, url: str, path: Path, trace: bool) -> dict[str, object]:
    """Run one way once; what it measured."""
    # What a way imports is loaded before the baseline: the measure is of the upload.
    import requests  # noqa: F401

    import publisher.platforms.common.video  # noqa: F401

    sent: Workspace | None = None
    if way.endswith("-adapter"):
        platform = way.removesuffix("-adapter")
        if not video_support(platform):
            return {"unavailable": "not available on this branch"}
        sent = Workspace(platform, url, path)
    if trace:
        tracemalloc.start()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if sent is not None:
        sent.send()
    elif way == "put":
        way_put(url, path)
    else:
        way_chunks(url, path, way)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result: dict[str, object] = {"seconds": seconds, "rss_kib": after - before}
    if trace:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
    return result


# The driver --------------------------------------------------------------------------


def start_server(kind: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"the {kind} server did not start")
    return process, json.loads(line)["url"]


def run_client(way: str, url: str, path: Path, trace: bool) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--client", way, "--url", url, "--file", str(path)]
        + (["--trace"] if trace else []),
        capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=900)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"failed": last}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _env() -> dict[str, str]:
    """The worktree first on the path; a throwaway keyring for the adapters' tokens."""
    data = Path(tempfile.gettempdir()) / "publisher-bench-video-keyring"
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
                [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
            "XDG_DATA_HOME": str(data)}


def measure(path: Path, repeat: int) -> None:
    size = path.stat().st_size
    print(f"{'way':<18}{'MB/s':>9}{'vs (a)':>9}{'rss Δ MB':>10}{'traced MB':>11}")
    floor = None
    for way in WAYS:
        kind = "receiver" if not way.endswith("-adapter") else way.removesuffix("-adapter")
        server, url = start_server(kind)
        try:
            runs = [run_client(way, url, path, trace=False) for _ in range(repeat)]
            problem = next((r.get("unavailable") or r.get("failed") for r in runs
                            if "seconds" not in r), None)
            if problem:
                print(f"{way:<18}{problem}")
                continue
            traced = run_client(way, url, path, trace=True)
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=30)
        best = min(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
        rate = size / MB / best
        floor = floor or rate
        rss = max(int(r["rss_kib"]) for r in runs) / 1024  # type: ignore[call-overload]
        peak = int(traced.get("traced_peak", 0)) / MB  # type: ignore[call-overload]
        print(f"{way:<18}{rate:9.1f}{rate / floor:9.2f}{rss:10.1f}{peak:11.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.client:
        print(json.dumps(client(args.client, args.url, Path(args.file), args.trace)))
        return
    path, made_in = make_video(args.megabytes)
    size = path.stat().st_size
    how = f"made in {made_in:.1f} s" if made_in is not None else "cached"
    print(f"video: {path} {size / MB:.1f} MB ({how}); chunks of {CHUNK // MB} MiB; "
          f"best of {args.repeat}")
    measure(path, args.repeat)


if __name__ == "__main__":
    main()
