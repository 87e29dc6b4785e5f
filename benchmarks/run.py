"""Benchmark every stage of ``kg`` on generated data, beside rdflib-naive and the floor.

    python benchmarks/run.py --sizes 1k,10k,100k [--work DIR] [--skip naive,kg-check] [--timeout 1800]

For each size it generates a dataset (seeded, see ``generate.py``), then runs each stage in a
process of its own and prints one table: seconds, graph triples per second, peak memory
(the largest maximum resident set of the stage's processes, from ``os.wait4``; and, as
``kg export`` forks a process per part, the peak of all of them together, sampled) and the
ratio to the floor measured in the same run. The ``kg`` stages run the real command line;
``load``, ``check`` and ``build`` time only their own step (their peak memory includes the
steps before them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, parse_size  # noqa: E402  (a script beside this one)

STAGES = ["load", "check", "build", "export-turtle", "export-ntriples", "kg-check", "queries", "naive", "floor"]


@dataclass
class Result:
    stage: str
    seconds: float | None
    peak_mib: float
    cpu: float | None = None
    triples: int | None = None
    detail: str = ""
    failed: str = ""
    #: All the stage's processes together (sampled; see :func:`_run`): above ``peak_mib`` when it forks.
    together_mib: float = 0.0


def _descendants(pid: int) -> list[int]:
    """``pid`` and the processes it started, and theirs (Linux; just ``pid`` elsewhere)."""
    found, todo = [], [pid]
    while todo:
        one = todo.pop()
        found.append(one)
        try:
            for task in os.listdir(f"/proc/{one}/task"):
                todo += [int(child) for child in Path(f"/proc/{one}/task/{task}/children").read_text().split()]
        except (OSError, ValueError):
            pass
    return found


def _memory_of_all(pid: int) -> float:
    """The memory of ``pid`` and its descendants now (MiB): the sum of their proportional set
    sizes, so pages a forked process still shares with its parent count once. Nothing (0)
    while there is one process: its own peak is exact, and reading the proportional sizes
    walks the process's page tables, which would slow the process measured."""
    processes = _descendants(pid)
    if len(processes) < 2:
        return 0.0
    total = 0
    for one in processes:
        try:
            for line in Path(f"/proc/{one}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except (OSError, ValueError, IndexError):
            pass
    return total / 1024


def _run(command: list[str], timeout: float) -> tuple[float, float, int, str, str, float, float]:
    """Run ``command``; its wall seconds, peak memory (MiB; the largest of its processes), exit
    status, stdout, stderr, processor seconds (all its processes) and the peak of all its
    processes' memory together (MiB: sampled every half second while there are several,
    and never less than the largest's peak)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = start + timeout
        together, sampled = 0.0, start
        while True:
            if time.perf_counter() - sampled >= 0.5:
                together, sampled = max(together, _memory_of_all(process.pid)), time.perf_counter()
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                status = -1
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = 0  # reaped above: keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        code = os.waitstatus_to_exitcode(status) if status != -1 else -1
        cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
        return seconds, peak, code, out.read().decode(), err.read().decode(), cpu, max(together, peak)


def _kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def run_stage(stage: str, data: Path, work: Path, timeout: float, check_args: tuple[str, ...] = ("--no-notes",)) -> Result:
    if stage in ("export-turtle", "export-ntriples"):
        fmt = stage.split("-", 1)[1]
        target = work / f"kg.{'ttl' if fmt == 'turtle' else 'nt'}"
        command = _kg("export", "--data", str(data), "--format", fmt, "-o", str(target))
        seconds, peak, code, _out, err, cpu, together = _run(command, timeout)
        wrote = re.search(r"wrote (\d+) triples", err)
        if code != 0 or not wrote:
            return Result(stage, None, peak, failed=f"exit {code}: {err.strip()[-300:]}")
        size = f"{target.stat().st_size / 2**20:.1f} MiB"
        return Result(stage, seconds, peak, cpu, int(wrote.group(1)), size, together_mib=together)
    if stage == "kg-check":
        seconds, peak, code, out, err, cpu, together = _run(_kg("check", "--data", str(data), *check_args), timeout)
        last = out.strip().splitlines()[-1] if out.strip() else err.strip()[-300:]
        if code != 0:
            return Result(stage, None, peak, failed=f"exit {code}: {last}")
        return Result(stage, seconds, peak, cpu, detail=last, together_mib=together)
    args = [str(data)]
    if stage in ("floor", "naive"):
        args.append(str(work / f"{stage}.ttl"))
    if stage == "queries":
        args.append(str(work / "kg.nt"))
    seconds, peak, code, out, err, cpu, together = _run([sys.executable, str(HERE / "stages.py"), stage, *args], timeout)
    if code != 0:
        return Result(stage, None, peak, failed=f"exit {code}: {(err or out).strip()[-300:]}")
    found = json.loads(out.strip().splitlines()[-1])
    if stage in ("floor", "naive"):  # whole processes, as the kg commands are: start-up and imports count
        found["seconds"], found["cpu"] = seconds, cpu
        found["detail"] = f"{found['triples']} triples (a plain mapping, unsorted)"
    return Result(stage, found["seconds"], peak, found.get("cpu"), found.get("triples"), found.get("detail", ""), together_mib=together)


def _cell(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def table(size: str, facts: int, results: list[Result]) -> str:
    by = {r.stage: r for r in results}
    export = by.get("export-turtle")
    graph_triples = export.triples if export and export.triples else None
    floor = by.get("floor")
    lines = [
        f"### {size} ({facts} facts, {graph_triples or '?'} triples)",
        "",
        "| stage | seconds | cpu s | triples/s | peak MiB | all processes MiB | × floor time | × floor cpu | × floor memory | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        triples = r.triples or graph_triples
        rate = triples / r.seconds if triples and r.seconds else None
        ratio = r.seconds / floor.seconds if floor and floor.seconds and r.seconds else None
        memory = r.peak_mib / floor.peak_mib if floor and floor.peak_mib else None
        cpu_ratio = r.cpu / floor.cpu if floor and floor.cpu and r.cpu else None
        note = r.failed or r.detail
        together = _cell(r.together_mib or None, ".0f")
        cells = [r.stage, _cell(r.seconds, ".2f"), _cell(r.cpu, ".2f"), _cell(rate, ",.0f"), f"{r.peak_mib:.0f}", together]
        cells += [_cell(ratio, ".2f"), _cell(cpu_ratio, ".2f"), _cell(memory, ".2f"), note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){memory}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated sizes in facts, e.g. 1k,10k,100k,1M")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"which stages (default all: {','.join(STAGES)})")
    parser.add_argument("--skip", default="", help="stages to leave out, e.g. naive at 1M")
    parser.add_argument("--work", default=None, help="folder for generated data and outputs (default: a temporary one, removed)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a stage is stopped and reported as failed")
    parser.add_argument("--seed", type=int, default=11)
    options = parser.parse_args(argv)
    skip = {s for s in options.skip.split(",") if s}
    stages = [s for s in options.stages.split(",") if s and s not in skip]
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        parser.error(f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(STAGES)}")
    if "queries" in stages and "export-ntriples" not in stages:
        stages.insert(stages.index("queries"), "export-ntriples")
    work = Path(options.work) if options.work else Path(tempfile.mkdtemp(prefix="kg-bench-"))
    print(f"kg benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine()}", flush=True)
    failed = False
    try:
        for size in options.sizes.split(","):
            facts = parse_size(size)
            folder = work / size
            shutil.rmtree(folder, ignore_errors=True)
            began = time.perf_counter()
            made = generate(folder, facts, options.seed)
            took = time.perf_counter() - began
            print(f"\ngenerated {made.facts} facts, {made.sources} sources, {made.files} files in {took:.1f} s", flush=True)
            results = []
            for stage in stages:
                result = run_stage(stage, made.data, folder, options.timeout)
                failed = failed or bool(result.failed)
                progress = f"  {stage}: {_cell(result.seconds, '.2f')} s, {result.peak_mib:.0f} MiB {result.failed}"
                print(progress, file=sys.stderr, flush=True)
                results.append(result)
            print(table(size, made.facts, results), flush=True)
            if not options.work:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not options.work:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
