"""An account's folder as the only world its SFTP client can see.

Client paths are resolved like a chroot: `..` stops at the account's root, absolute paths start there,
and the result — with every symbolic link followed by the operating system — must still lie inside the
root, compared component by component (so `/drop` never admits `/drop-evil`)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


class Escape(PermissionError):
    """The path leads outside the account's folder."""


class Jail:
    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    def virtual(self, client_path: str) -> str:
        """The client's path normalized inside the jail: "/a/../../b" -> "/b"."""
        return "/" + "/".join(self._components(client_path))

    def resolve(self, client_path: str, *, follow_last: bool = True) -> Path:
        """The real path for a client path; raises Escape when links or names lead outside.
        With `follow_last=False` a final symbolic link is the link itself (to remove or lstat it)."""
        components = self._components(client_path)
        candidate = self.root.joinpath(*components)
        if follow_last or not components:
            real = Path(os.path.realpath(candidate))
        else:
            real = Path(os.path.realpath(candidate.parent)) / candidate.name
        if not real.is_relative_to(self.root):
            raise Escape(client_path)
        return real

    def client_path(self, real: Path) -> str:
        return "/" + str(real.relative_to(self.root)) if real != self.root else "/"

    @staticmethod
    def _components(client_path: str) -> list[str]:
        stack: list[str] = []
        for part in PurePosixPath("/" + client_path.replace("\x00", "")).parts[1:]:
            if part in ("", "."):
                continue
            if part == "..":
                if stack:
                    stack.pop()
                continue
            stack.append(part)
        return stack
