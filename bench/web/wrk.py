"""wrk, driven through a Lua script: the request (method, headers, body) and a JSON report.

wrk's text output rounds and changes units; its `done()` hook hands over the exact counters, so
each run's script ends by printing them as one JSON line.
"""

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPORT_MARK = "WRK-REPORT "
REPORTER = """
function done(summary, latency, requests)
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,'
    .. '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    "MARK", summary.requests, summary.duration, summary.bytes, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
""".replace("MARK", REPORT_MARK)


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def lua(self) -> str:
        # Long brackets: the body and headers go in verbatim, whatever quotes they hold.
        lines = [f"wrk.method = [==[{self.method}]==]", f"wrk.body = [==[{self.body}]==]"]
        lines += [f"wrk.headers[ [==[{k}]==] ] = [==[{v}]==]" for k, v in self.headers.items()]
        return "\n".join(lines) + "\n" + REPORTER


@dataclass(frozen=True)
class Figure:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # wrk counts statuses above 399
    socket_errors: int
    bytes_per_request: float

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def run(url: str, script: Path, *, connections: int, seconds: int) -> Figure:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
         url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(line for line in out.splitlines() if line.startswith(REPORT_MARK))
    report = json.loads(line.removeprefix(REPORT_MARK))
    requests = max(report["requests"], 1)
    return Figure(
        rps=report["requests"] / (report["duration_us"] / 1e6),
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        non_2xx=report["status"],
        socket_errors=sum(report[k] for k in ("connect", "read", "write", "timeout")),
        bytes_per_request=report["bytes"] / requests,
    )
