"""A TCP proxy of the test's own, on loopback, between prorata and a server (RabbitMQ): `cut()` drops
every connection through it and refuses new ones — the server looks stopped to prorata, and nobody else
notices — until `restore()`."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TcpProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)  # so that close() ends the accepting thread
        self.port: int = self.listener.getsockname()[1]
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.up = threading.Event()
        self.up.set()
        self.closing = False
        self.thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    def url_for(self, url: str) -> str:
        """`url` (amqp://user:pass@host:port/vhost) through this proxy."""
        scheme, rest = url.split("://", 1)
        credentials, _, after = rest.rpartition("@")
        path = after.partition("/")[2]
        return f"{scheme}://{credentials + '@' if credentials else ''}127.0.0.1:{self.port}/{path}"

    def cut(self) -> None:
        """The server is gone: open connections are reset, new ones closed at once."""
        self.up.clear()
        with self.lock:
            sockets, self.open = list(self.open), set()
        for each in sockets:
            _reset(each)

    def restore(self) -> None:
        self.up.set()

    def _accept(self) -> None:
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            if not self.up.is_set():
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)
                continue
            server.settimeout(None)
            with self.lock:
                self.open |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for each in (source, target):
                with self.lock:
                    self.open.discard(each)
                _reset(each)

    def close(self) -> None:
        self.closing = True
        self.cut()
        self.thread.join(timeout=2)
        self.listener.close()


def _reset(each: socket.socket) -> None:
    with contextlib.suppress(OSError):
        each.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        each.close()


@contextmanager
def tcp_proxy(host: str, port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy((host, port))
    proxy.thread.start()
    try:
        yield proxy
    finally:
        proxy.close()
