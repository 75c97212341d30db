"""A TCP proxy between a device and the server that misbehaves on purpose, seeded: it drops connections,
cuts requests and responses at random byte offsets, and stalls answers past the client's timeout."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    kind: str  # pass / drop / cut_request / cut_response / stall
    at: int = 0  # byte offset where the cut or stall happens


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int, *, stall_seconds: float = 0.6, fault_rate: float = 0.5) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.stall_seconds = stall_seconds
        self.fault_rate = fault_rate
        self.faulty = True
        self.stats: Counter[str] = Counter()
        self.connections = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plan(self) -> Plan:
        with self._lock:
            self.connections += 1
            if not self.faulty:
                return Plan("pass")
            if self.connections > 2 and self.rng.random() >= self.fault_rate:  # the first two always misbehave
                return Plan("pass")
            kind = self.rng.choices(["drop", "cut_request", "cut_response", "stall"], [2, 3, 5, 1])[0]
            at = int(self.rng.expovariate(1 / 4000)) if kind != "drop" else 0
            self.stats[kind] += 1
            return Plan(kind, at)

    def start(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def boot() -> None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()

        self._loop.run_until_complete(boot())
        self._loop.run_forever()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        plan = self.plan()
        if plan.kind == "drop":
            await _close(client_w)
            return
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            await _close(client_w)
            return
        upstream = asyncio.ensure_future(
            self._pipe(client_r, up_w, plan.at if plan.kind == "cut_request" else None, None)
        )
        downstream = asyncio.ensure_future(
            self._pipe(
                up_r,
                client_w,
                plan.at if plan.kind == "cut_response" else None,
                plan.at if plan.kind == "stall" else None,
            )
        )
        await asyncio.wait([upstream, downstream], return_when=asyncio.FIRST_COMPLETED)
        for task in (upstream, downstream):
            task.cancel()
        for task in (upstream, downstream):
            with contextlib.suppress(BaseException):
                await task
        await _close(client_w)
        await _close(up_w)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, cut_at: int | None, stall_at: int | None
    ) -> None:
        sent = 0
        while True:
            data = await reader.read(16384)
            if not data:
                return
            limit = cut_at if cut_at is not None else stall_at
            if limit is not None and sent + len(data) >= limit:
                writer.write(data[: max(0, limit - sent)])
                with contextlib.suppress(ConnectionError):
                    await writer.drain()
                if stall_at is not None:
                    await asyncio.sleep(self.stall_seconds)
                return
            writer.write(data)
            sent += len(data)
            try:
                await writer.drain()
            except ConnectionError:
                return


async def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
        await writer.wait_closed()
