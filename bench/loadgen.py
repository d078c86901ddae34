"""Drive one URL with wrk (a separate process) and read back rate and latency percentiles."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# wrk prints what done() writes; its own report has no p95.
_LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT {{\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, \\"p95\\": %f, "
    .. "\\"p99\\": %f, \\"errors\\": %d}}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


@dataclass
class Result:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p95: float
    p99: float
    errors: int  # socket errors, timeouts and answers of 400 or more

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install wrk).")
    return path


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def run(
    url: str,
    *,
    seconds: float,
    connections: int,
    threads: int,
    method: str = "GET",
    body: str = "",
    headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> Result:
    header_lines = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items()
    )
    script = _LUA.format(
        method=_lua_string(method), body=_lua_string(body) if body else "nil", headers=header_lines
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(  # noqa: S603 - wrk with our own arguments
            [
                wrk_path(),
                f"-t{min(threads, connections)}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                f"--timeout={timeout:g}s",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(handle.name).unlink(missing_ok=True)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return Result(**json.loads(line.removeprefix("BENCH-RESULT ")))
    raise RuntimeError(f"wrk gave no result for {url}: {completed.stderr or completed.stdout}")
