"""A TCP proxy between the application and PostgreSQL that can make the database go away.

`cut()` resets every open connection at once (TCP RST, mid-stream, whatever was in flight)
and refuses new ones the same way until `restore()`. PostgreSQL itself keeps running, so
other test runs on the same server are not disturbed.

The proxy also watches the one place where a cut leaves the outcome unknown: a COMMIT that
reached the server whose answer has not reached the application. It counts such cuts
(`unknown_commits`), and `cut_after_next_commit()` makes one on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading

# psycopg commits with a simple query: 'Q', length 11, "COMMIT\0"; the server answers with
# CommandComplete: 'C', length 11, "COMMIT\0".
COMMIT_QUERY = b"Q\x00\x00\x00\x0bCOMMIT\x00"
COMMIT_DONE = b"C\x00\x00\x00\x0bCOMMIT\x00"


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST, dropping unsent data: the peer sees its connection torn down."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class _Link:
    """One application connection and its upstream connection to PostgreSQL."""

    def __init__(self, client: asyncio.StreamWriter, server: asyncio.StreamWriter):
        self.client = client
        self.server = server
        self.commit_in_flight = False
        self.closed = False

    def reset(self) -> None:
        if not self.closed:
            self.closed = True
            _reset(self.client)
            _reset(self.server)

    def close(self) -> None:
        """One side hung up in the ordinary way: pass it on after what is still queued."""
        if not self.closed:
            self.closed = True
            self.client.close()
            self.server.close()


class PgProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.accepting = True
        self.links: set[_Link] = set()
        self.unknown_commits = 0
        self.refused = 0
        self._cut_on_commit = False
        self.commit_cut = threading.Event()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self.port = 0

    # -- control, from any thread ----------------------------------------------------------

    def start(self) -> PgProxy:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def cut(self) -> int:
        """The database goes away: reset every connection, refuse new ones.

        Returns how many connections were cut with a COMMIT in flight (outcome unknown).
        """

        async def cut():
            self.accepting = False
            unknown = 0
            for link in list(self.links):
                unknown += link.commit_in_flight
                link.reset()
            self.links.clear()
            self.unknown_commits += unknown
            return unknown

        return self._call(cut())

    def restore(self) -> None:
        """The database is back: accept connections again."""

        async def restore():
            self.accepting = True

        self._call(restore())

    def cut_after_next_commit(self) -> None:
        """Let the next COMMIT reach the server, then cut before its answer comes back."""

        async def arm():
            self._cut_on_commit = True
            self.commit_cut.clear()

        self._call(arm())

    def close(self) -> None:
        async def close():
            self._server.close()
            for link in list(self.links):
                link.reset()
            self.links.clear()

        try:
            self._call(close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)
            if not self._thread.is_alive():
                self.loop.close()

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    # -- the proxy itself, on its event loop -------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        if not self.accepting:
            self.refused += 1
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _reset(writer)
            return
        if not self.accepting:  # cut while we were connecting
            _reset(writer)
            _reset(up_writer)
            return
        link = _Link(writer, up_writer)
        self.links.add(link)
        await asyncio.gather(
            self._pump(link, reader, up_writer, to_server=True),
            self._pump(link, up_reader, writer, to_server=False),
        )
        self.links.discard(link)

    async def _pump(self, link, reader, writer, *, to_server: bool):
        try:
            while not link.closed:
                data = await reader.read(65536)
                if not data or link.closed:
                    break
                if to_server and COMMIT_QUERY in data:
                    # Marked before the server can see it.
                    link.commit_in_flight = True
                if not to_server and COMMIT_DONE in data and self._cut_on_commit:
                    # The server has committed; the application will never hear of it.
                    self._cut_on_commit = False
                    self.unknown_commits += 1
                    link.reset()
                    self.links.discard(link)
                    self.commit_cut.set()
                    break
                writer.write(data)
                await writer.drain()
                if (
                    not to_server
                    and COMMIT_DONE in data
                    and writer.transport.get_write_buffer_size() == 0
                ):
                    # Cleared only once the answer has left the proxy entirely.
                    link.commit_in_flight = False
        except OSError:
            link.reset()
        finally:
            link.close()
