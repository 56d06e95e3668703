"""Every check that runs on user text, timed on 100 KB texts of adversarial shapes.

    python bench/checks.py [--size 100000] [--timeout 10] [--only SHAPE,...]

Texts are user input: the editor runs the counters and the consistency check on
every key, ``drafts check`` and ``translations import`` run them on whatever a
file holds. Each should take time linear in the text's length, so each cell
below should be milliseconds. Each (check, text) pair runs in a forked child
process that is stopped after ``--timeout`` seconds (shown as ">10s"); "ERR"
is an exception (the message follows the table).

The PO round trip (export, then import of a changed translation, through a
real workspace) uses each text cut to 63,206 characters, the longest text a
platform takes (Facebook): the drafts refuse longer texts.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.domain.consistency import compare_variants  # noqa: E402
from publisher.domain.little_text import to_little, to_plain  # noqa: E402
from publisher.domain.serbian import to_cyrillic, to_latin  # noqa: E402
from publisher.domain.textrules import PLATFORMS, count_text  # noqa: E402

LONGEST_POST = 63_206  # Facebook's limit: no platform takes more


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _dates(size: int) -> str:
    parts: list[str] = []
    year = 1000
    while sum(map(len, parts)) < size:
        parts.extend(f"{day}.{month}.{year}" for month in range(1, 13) for day in (1, 15, 28))
        year += 1
    return " ".join(parts)[:size]


PROSE = ("Më 28 nëntor 2026. në 18:00 ambasada fton https://example.org/a_(b) "
         "@mfa_kosovo #DigitalKosovo 1.000 qytetarë. Љубав ЉУБАВ Љ. Петровић, "
         "28. новембра 2026. у 18.00, info@example.org, 👍🏽 ")


def shapes(size: int) -> dict[str, str]:
    """Short name -> a text of ``size`` characters."""
    return {
        "word": "a" * size,
        "a-a-": _fill("a-", size),
        "digits": "1" * size,
        "1.1.": _fill("1.", size),
        "./": _fill("./", size),
        "url": "https://example.org/" + _fill("a/", size - 20),
        "url)))": "https://example.org/x" + ")" * (size - 21),
        "a.b.": _fill("ab.", size),
        "@word": "@" + "a" * (size - 1),
        "@[": _fill("@[", size),
        "#tags": _fill("#tag ", size),
        "dates": _dates(size),
        "Љ Љ": _fill("Љ ", size),
        "prose": _fill(PROSE, size),
        "space": _fill(" \n\t", size),
    }


def _consistency(text: str) -> object:
    return compare_variants({"sq": text, "en": text + " 7"}, campaign_hashtags=["DigitalKosovo"])


def _counter(platform: str) -> Callable[[str], object]:
    return lambda text: count_text(platform, text)


def _po_round_trip(text: str) -> object:
    """Export a draft holding ``text`` to a PO file, translate it, import it back."""
    import tomlkit
    from babel.messages.pofile import read_po, write_po

    from publisher.services.context import open_context
    from publisher.services.translations import export_po, import_po
    from publisher.storage.workspace import init_workspace

    text = text[:LONGEST_POST].strip() or "x"
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "ws"
        init_workspace(home)
        draft = {"source": "sq", "variants": {"sq": {"text": text}}}
        (home / "drafts" / "long.toml").write_text(tomlkit.dumps(draft), encoding="utf-8")
        po = Path(folder) / "en.po"
        export_po(open_context(home), "en", po)
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id:
                message.string = text[::-1].strip() or "y"
        with po.open("wb") as handle:
            write_po(handle, catalog, width=0)  # as export writes it: see export_po
        return import_po(open_context(home), po, "en")


CHECKS: dict[str, Callable[[str], object]] = {
    "drafts check": _consistency,
    **{f"count {platform}": _counter(platform) for platform in PLATFORMS},
    "to_little": to_little,
    "to_plain": to_plain,
    "to_latin": to_latin,
    "to_cyrillic": to_cyrillic,
    "PO round trip": _po_round_trip,
}


def _child(check: str, text: str, pipe) -> None:
    started = time.perf_counter()
    try:
        CHECKS[check](text)
    except BaseException as error:
        pipe.send(("error", f"{type(error).__name__}: {error}"[:160]))
        return
    pipe.send(("ok", time.perf_counter() - started))


def measure(check: str, text: str, timeout: float) -> tuple[str, float | str | None]:
    """("ok", seconds), ("error", message) or ("timeout", None), from a forked child."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(check, text, send))
    child.start()
    if receive.poll(timeout):
        result = receive.recv()
        child.join()
        return result
    child.terminate()
    child.join()
    return ("timeout", None)


def _cell(result: tuple[str, float | str | None], timeout: float) -> str:
    kind, value = result
    if kind == "timeout":
        return f">{timeout:g}s"
    if kind == "error":
        return "ERR"
    assert isinstance(value, float)
    return f"{value * 1000:.1f}ms" if value < 1 else f"{value:.2f}s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="characters per text")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per cell")
    parser.add_argument("--only", default="", help="comma-separated shape names")
    args = parser.parse_args()
    texts = shapes(args.size)
    if args.only:
        texts = {name: texts[name] for name in args.only.split(",")}
    width = max(8, *(len(name) + 1 for name in texts))
    print(f"{args.size:,} characters per text; time of each check (stopped after "
          f"{args.timeout:g}s)")
    print(f"{'':16}" + "".join(f"{name:>{width}}" for name in texts))
    errors: list[str] = []
    worst = 0.0
    for check in CHECKS:
        cells = []
        for name, text in texts.items():
            result = measure(check, text, args.timeout)
            if result[0] == "error":
                errors.append(f"{check} on {name}: {result[1]}")
            seconds = result[1] if result[0] == "ok" else args.timeout
            worst = max(worst, seconds if isinstance(seconds, float) else 0.0)
            cells.append(_cell(result, args.timeout))
        print(f"{check:16}" + "".join(f"{cell:>{width}}" for cell in cells), flush=True)
    for error in errors:
        print(f"ERR {error}")
    print(f"slowest cell: {worst:.2f}s")


if __name__ == "__main__":
    main()
